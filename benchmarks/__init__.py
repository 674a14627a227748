"""Developer tooling kept out of the shipped package: `make bench` figures, `make screenshots`, and the
synthetic handwriting and camera-frame generators that the bench and the tests share."""
