#!/bin/bash
# SPIKE: run dbt against the spark target: spike/dbt_spark.sh LOGNAME dbt-args...
cd /tmp/sparkspike && source spike/env.sh && eval "$(python spike/child_key_pads.py)"
name=$1; shift
cd dbt_project
V='{"report_dates": ["2022-01-31","2022-02-28","2022-03-31","2022-04-30","2022-05-31","2022-06-30","2022-07-31","2022-08-31","2022-09-30"]}'
start=$(date +%s)
dbt "$@" --target spark --profiles-dir . --vars "$V" --target-path target-spark > $SPIKE/$name.log 2>&1
rc=$?
echo "rc=$rc wall=$(( $(date +%s) - start ))s" | tee -a $SPIKE/$name.log
