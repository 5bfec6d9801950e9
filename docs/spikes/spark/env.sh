# SPIKE environment: everything under /tmp, nothing in $HOME or /work/main.
export PATH=/tmp/sparkvenv/bin:$PATH
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
export SPIKE=/tmp/sparkspike-work
export BACKTOSCHOOL_KEY_FILE=$SPIKE/child_key.secret
export DAGSTER_HOME=$SPIKE/dagster_home
export BACKTOSCHOOL_PDF=none
export BACKTOSCHOOL_SPARK_DIR=$SPIKE/out/spark
export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON=/tmp/sparkvenv/bin/python
