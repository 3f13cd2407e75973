// SPDX-License-Identifier: LGPL-2.1-or-later
/* iommufdctl's entry point (the tool itself is iommufdctl_main, in dispatch.c). */
#include "iommufdctl.h"

int main(int argc, char **argv)
{
	return iommufdctl_main(argc, argv);
}
