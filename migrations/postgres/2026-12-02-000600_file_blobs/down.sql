DROP TABLE file_blob_chunks;
DROP TABLE file_blobs;
