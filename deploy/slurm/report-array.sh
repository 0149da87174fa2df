#!/bin/bash
# Progress reports for the whole roster as a Slurm job array: array task I of
# 1-N makes shard I/N (careerconv numbers shards from 1, like this array) and
# writes its reports and its shard index into the shared reports folder.
#
#   jobid=$(sbatch --parsable --export=ALL,AS_OF=2026-10-01 deploy/slurm/report-array.sh)
#   sbatch --dependency=afterany:"$jobid" --export=ALL,AS_OF=2026-10-01 deploy/slurm/report-merge.sh
#
# More shards: sbatch --array=1-32 …  (N is read from the array's size). The
# data and reports folders must be on a filesystem every node mounts at the
# same path (CAREERCONV_DATA, CAREERCONV_REPORTS).
#SBATCH --job-name=careerconv-reports
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=08:00:00
#SBATCH --output=careerconv-reports-%A_%a.log
set -euo pipefail

: "${AS_OF:?set AS_OF=YYYY-MM-DD, the same report date for every shard and the merge}"
: "${SLURM_ARRAY_TASK_ID:?submit this script with sbatch (it is a job array)}"
if [ "${SLURM_ARRAY_TASK_MIN:-1}" != 1 ]; then
  echo "the array must start at 1 (shards are numbered 1 to N): sbatch --array=1-N" >&2
  exit 2
fi
SHARDS=${SLURM_ARRAY_TASK_MAX}

# One warm kernel per CPU Slurm gave this task.
exec careerconv report --all --as-of "$AS_OF" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" --quiet
