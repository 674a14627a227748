"""Plain computation: data sets, importers, digit preprocessing, segmentation, the camera loop,
metrics and reports, with NumPy and OpenCV (scikit-learn for the metrics and splits, Matplotlib
for the report's figures, both imported inside functions).

Nothing here imports Qt or TensorFlow (tests/test_layers.py enforces it).
"""
