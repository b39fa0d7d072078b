#!/usr/bin/env bash
# decode_test.sh SAMPLE PROTO_DIR: what protobuf-c packs, Google's protoc decodes.
set -euo pipefail
sample=$1
proto_dir=$2
check() {
    local kind=$1; shift
    local text
    text=$("$sample" $kind | protoc --decode=campaign.Envelope -I "$proto_dir" "$proto_dir/campaign.proto")
    for want in "$@"; do
        if ! grep -qF -- "$want" <<<"$text"; then
            echo "protoc output lacks '$want':"; echo "$text"; exit 1
        fi
    done
}
check note 'schema_version: 1' 'campaign_id: "sample-campaign"' 'account_id: "A-0001"' \
    'feature_requests: "audit log export"' 'person: "csm-7"'
check status 'seq: 42' 'topic: "task"' 'queued: 3'
echo "1 passed, 0 failed"
