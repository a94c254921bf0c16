/* cli/cmd_list.c — `pagelab --list`: every registered policy, one line each. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "policies/alloc.h"
#include "policies/pagemap.h"
#include "policies/reclaim.h"

int cmd_list(int argc, char **argv)
{
	char args[1024];

	if (argc > 1) {
		if (!strcmp(argv[1], "--help")) {
			printf("usage: pagelab --list\n"
			       "Prints every policy: KIND NAME  help  [parameters].\n");
			return 0;
		}
		fprintf(stderr, "pagelab list: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	for (size_t i = 0; pagemap_registry[i]; i++)
		printf("pagemap  %-10s %s\n", pagemap_registry[i]->name,
		       pagemap_registry[i]->help);
	for (size_t i = 0; reclaim_registry[i]; i++) {
		const struct reclaim_ops *o = reclaim_registry[i];
		args[0] = '\0';
		if (o->describe_args)
			o->describe_args(args, sizeof(args));
		printf("reclaim  %-10s %s%s%s%s\n", o->name, o->help,
		       *args ? "  [" : "", args, *args ? "]" : "");
	}
	for (size_t i = 0; alloc_registry[i]; i++) {
		const struct alloc_ops *o = alloc_registry[i];
		args[0] = '\0';
		if (o->describe_args)
			o->describe_args(args, sizeof(args));
		printf("alloc    %-10s %s%s%s%s\n", o->name, o->help,
		       *args ? "  [" : "", args, *args ? "]" : "");
	}
	return 0;
}
