"""NumPy and OpenCV only: data sets, importers, digit preprocessing, segmentation, metrics.

Nothing here imports Qt or TensorFlow (tests/test_layers.py enforces it).
"""
