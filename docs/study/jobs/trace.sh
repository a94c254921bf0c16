#!/bin/sh
# jobs/trace.sh TRACE...: make each missing TRACE again with its line of
# jobs/gen.jobs (seeded generators: the same bytes).  Every job line that
# reads a generated trace starts with it, so jobs/*.jobs rerun from this
# folder alone after the traces were deleted.
mkdir -p traces logs
for t; do
	[ -s "$t" ] && continue
	line=$(grep -F -e "-o $t " jobs/gen.jobs | head -n 1)
	if [ -z "$line" ]; then
		echo "jobs/trace.sh: $t is missing and no line of jobs/gen.jobs makes it" >&2
		exit 1
	fi
	sh -c "$line" || exit 1
done
