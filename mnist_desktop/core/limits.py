"""Size limits on what the app reads, in one place (no imports: the CLI reads them at start-up)."""

# The most pixel data one file may hold (a .npz member, an IDX file, an image folder): checked from
# headers before anything is decompressed or allocated. MNIST's 70,000 images take 55 MB; this is
# room for about 680,000 images.
MAX_DATA_BYTES = 512 * 1024 * 1024
# The most pixels one image may have, as a file or an array (a 20000x20000 PNG is 400 million; a
# 12 MP photo is fine): 50 megapixels.
MAX_IMAGE_PIXELS = 50_000_000
