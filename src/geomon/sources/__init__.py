"""Readers per source format. Only this package knows file formats."""

#: Compression of the Parquet files geomon writes into a store (flows, statistics). LZ4 (the
#: LZ4_RAW codec) decodes about 2.3x faster than ZSTD and encodes faster, for about 35 % more
#: bytes: reading a reporter's flows, whose rows sit in every row group of the product-sorted
#: files, is mostly decoding (benchmarks/README.md). Stores written with ZSTD read the same.
STORE_CODEC = "lz4"
#: Rows per Parquet row group in a store: a query for a few products reads a few row groups.
ROW_GROUP_ROWS = 122_880
#: DuckDB COPY options of a store's Parquet files.
STORE_PARQUET = f"FORMAT parquet, COMPRESSION {STORE_CODEC}, ROW_GROUP_SIZE {ROW_GROUP_ROWS}"
