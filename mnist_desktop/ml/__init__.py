"""Keras/TensorFlow and LiteRT: architectures, training with hooks, model files, fast inference.

TensorFlow is imported inside functions only (`mnist_desktop.ml.tf_runtime`), never at import time,
so the window opens fast and the predictor (LiteRT) works without TensorFlow loaded. Never imports Qt.
"""
