#!/bin/bash
# The merge step after report-array.sh: builds <reports>/index-<AS_OF>.html from
# the index every shard wrote. Submit it with --dependency=afterany:<array job
# id> so it runs once every array task has ended (see report-array.sh); it
# fails, naming the missing shards, if one has not written its index.
#SBATCH --job-name=careerconv-reports-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=1G
#SBATCH --time=00:30:00
#SBATCH --output=careerconv-reports-merge-%j.log
set -euo pipefail

: "${AS_OF:?set AS_OF=YYYY-MM-DD, the report date the shards used}"
exec careerconv report --merge-index --as-of "$AS_OF"
