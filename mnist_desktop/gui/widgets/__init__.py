"""Reusable widgets: digit gallery, pixel view, probability bars, confusion matrix, drawing canvas."""
