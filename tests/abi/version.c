// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One version number: the header's macros and the running library's iommufd_version() are
 * meson.build's project version (MESON_PROJECT_VERSION, passed by tests/abi/meson.build).
 */
#include <stdio.h>
#include <string.h>

#include <iommufd/iommufd.h>

int main(void)
{
	char parts[64];
	int fails = 0;

	snprintf(parts, sizeof(parts), "%d.%d.%d", IOMMUFD_VERSION_MAJOR, IOMMUFD_VERSION_MINOR,
		 IOMMUFD_VERSION_PATCH);
	if (strcmp(IOMMUFD_VERSION_STRING, MESON_PROJECT_VERSION)) {
		printf("IOMMUFD_VERSION_STRING is %s, meson.build says %s\n",
		       IOMMUFD_VERSION_STRING, MESON_PROJECT_VERSION);
		fails++;
	}
	if (strcmp(parts, MESON_PROJECT_VERSION)) {
		printf("IOMMUFD_VERSION_MAJOR.MINOR.PATCH is %s, meson.build says %s\n", parts,
		       MESON_PROJECT_VERSION);
		fails++;
	}
	if (strcmp(iommufd_version(), MESON_PROJECT_VERSION)) {
		printf("iommufd_version() is %s, meson.build says %s\n", iommufd_version(),
		       MESON_PROJECT_VERSION);
		fails++;
	}
	if (!fails)
		printf("version %s everywhere\n", MESON_PROJECT_VERSION);
	return fails ? 1 : 0;
}
