#!/bin/sh
# Submit the sweep's job array and, behind it, the merge.
#
#   RESULTS=/shared/scalesim/capacity deploy/slurm/submit.sh
set -eu
here=$(dirname "$0")
export RESULTS="${RESULTS:-$PWD/results/capacity}"
array=$(sbatch --parsable --export=ALL "$here/sweep.sbatch")
array=${array%%;*} # "jobid;cluster" on federated clusters
merge=$(sbatch --parsable --export=ALL --dependency=afterok:"$array" "$here/merge.sbatch")
echo "sweep array: job $array; merge: job $merge (starts when every task succeeded)"
echo "results: $RESULTS"
