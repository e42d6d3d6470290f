#!/usr/bin/env bash
# Write one account's AWS CLI output for `secretslab import --from-dumps DIR`: read-only calls
# only, never a secret's value. The credentials, profile and endpoint are the AWS CLI's own
# (AWS_PROFILE, AWS_ENDPOINT_URL, ...). A command AWS refuses leaves an empty file behind, which
# the import reports as a gap.
#
#   usage: scripts/aws-dumps.sh DIR [REGION ...]        (default Region: us-east-1)
set -u
dir=${1:?usage: scripts/aws-dumps.sh DIR [REGION ...]}
shift
regions=("$@")
[ ${#regions[@]} -gt 0 ] || regions=(us-east-1)
export AWS_DEFAULT_OUTPUT=json AWS_PAGER=""
# IAM and STS are global, but the AWS CLI still asks for a Region: the first one given
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-${AWS_REGION:-${regions[0]}}}"

mkdir -p "$dir"
aws sts get-caller-identity > "$dir/get-caller-identity.json"
aws iam get-account-authorization-details > "$dir/get-account-authorization-details.json"
for region in "${regions[@]}"; do
  r="$dir/$region"
  mkdir -p "$r"/{describe-secret,get-resource-policy,describe-key,get-key-policy,list-resource-tags,list-grants}
  aws secretsmanager list-secrets --region "$region" > "$r/list-secrets.json"
  n=0
  for arn in $(aws secretsmanager list-secrets --region "$region" --query 'SecretList[].ARN' --output text); do
    n=$((n + 1))  # a secret's files may have any name: each output names its secret
    aws secretsmanager describe-secret --region "$region" --secret-id "$arn" > "$r/describe-secret/$n.json"
    aws secretsmanager get-resource-policy --region "$region" --secret-id "$arn" > "$r/get-resource-policy/$n.json"
  done
  aws kms list-aliases --region "$region" > "$r/list-aliases.json"
  aws kms list-keys --region "$region" > "$r/list-keys.json"
  for key in $(aws kms list-keys --region "$region" --query 'Keys[].KeyId' --output text); do
    # a key's files are named after its key id: get-key-policy's output does not name the key
    aws kms describe-key --region "$region" --key-id "$key" > "$r/describe-key/$key.json"
    aws kms get-key-policy --region "$region" --key-id "$key" --policy-name default > "$r/get-key-policy/$key.json"
    aws kms list-resource-tags --region "$region" --key-id "$key" > "$r/list-resource-tags/$key.json"
    aws kms list-grants --region "$region" --key-id "$key" > "$r/list-grants/$key.json"
  done
done
echo "dumps of $(sed -n 's/.*"Account": "\([0-9]*\)".*/\1/p' "$dir/get-caller-identity.json") in $dir; next: secretslab import --from-dumps $dir -o snapshot.json" >&2
