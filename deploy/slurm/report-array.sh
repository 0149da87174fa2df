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
#
# Some shards again (one failed): give the number of shards, as the array no
# longer says it, and merge again when they have ended:
#
#   sbatch --array=2 --export=ALL,AS_OF=2026-10-01,SHARDS=8 deploy/slurm/report-array.sh
#SBATCH --job-name=careerconv-reports
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=08:00:00
#SBATCH --output=careerconv-reports-%A_%a.log
set -euo pipefail

: "${AS_OF:?set AS_OF=YYYY-MM-DD, the same report date for every shard and the merge}"
: "${SLURM_ARRAY_TASK_ID:?submit this script with sbatch (it is a job array)}"
rerun="to run some shards again, give their number: sbatch --array=2,5 --export=ALL,AS_OF=$AS_OF,SHARDS=N"
if [ -z "${SHARDS:-}" ]; then
  # The array's size is the number of shards only for a whole array 1-N (1-8:2 or 1,3,5 has gaps). An array of
  # one task, --array=1, is shard 1 run again far more often than a batch of one shard (which needs no array):
  # taken for 1/1, it made the whole roster.
  min=${SLURM_ARRAY_TASK_MIN:-1} max=${SLURM_ARRAY_TASK_MAX:-$SLURM_ARRAY_TASK_ID}
  if [ "$min" != 1 ] || [ "$max" = 1 ] || [ "${SLURM_ARRAY_TASK_COUNT:-$max}" != "$max" ]; then
    echo "the array (tasks $min to $max, ${SLURM_ARRAY_TASK_COUNT:-?} of them) does not say the number of" \
         "shards: a whole batch is --array=1-N, N from 2 (shards are numbered 1 to N; a batch of one shard is" \
         "SHARDS=1); $rerun" >&2
    exit 2
  fi
  SHARDS=$max
fi
case "$SHARDS" in
  '' | *[!0-9]* | 0*)
    echo "SHARDS must be the whole batch's number of shards, a whole number from 1, not '$SHARDS'" >&2
    exit 2 ;;
esac
if [ "$SLURM_ARRAY_TASK_ID" -gt "$SHARDS" ]; then
  echo "array task $SLURM_ARRAY_TASK_ID is not a shard of $SHARDS (shards are numbered 1 to $SHARDS)" >&2
  exit 2
fi

# One warm kernel per CPU Slurm gave this task.
exec careerconv report --all --as-of "$AS_OF" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" --quiet
