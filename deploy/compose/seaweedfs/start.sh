#!/bin/sh
# Starts single-node SeaweedFS (master, volume server, filer and S3 gateway in one process) with
# an S3 gateway that accepts one identity, S3_ACCESS_KEY and S3_SECRET_KEY from the environment.
set -eu

: "${S3_ACCESS_KEY:?S3_ACCESS_KEY is missing: set it in deploy/compose/.env}"
: "${S3_SECRET_KEY:?S3_SECRET_KEY is missing: set it in deploy/compose/.env}"
case "$S3_ACCESS_KEY$S3_SECRET_KEY" in
  *\"* | *\\*)
    echo 'S3_ACCESS_KEY and S3_SECRET_KEY must not contain " or \ (they are written into a JSON file)' >&2
    exit 2
    ;;
esac

config=/tmp/s3-identities.json
umask 077
cat > "$config" <<JSON
{
  "identities": [
    {
      "name": "inception",
      "credentials": [{ "accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY" }],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
JSON

# -volume.max=0 sizes the number of volumes from the free disk space.
exec weed server \
  -dir=/data \
  -ip=seaweedfs \
  -ip.bind=0.0.0.0 \
  -master.volumeSizeLimitMB="${SEAWEEDFS_VOLUME_SIZE_LIMIT_MB:-1024}" \
  -volume.max=0 \
  -s3 \
  -s3.port=8333 \
  -s3.config="$config"
