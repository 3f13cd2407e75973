/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The saved state of a container (iommufd_container_save/restore): what a new process
 * needs to take the container over, in memory, and its file format. docs/live-update.md
 * describes the format and its version rules; in short:
 *
 *   header (32 bytes, little-endian):
 *     0  magic "iofdcpr\n"
 *     8  u16 major   a reader refuses a major it does not know
 *    10  u16 minor   what a newer minor adds, an older reader may skip
 *    12  u32 header size (32; a later minor may grow it: readers skip the rest)
 *    16  u64 total size, header included
 *    24  u32 CRC-32C of all total bytes, this field read as 0
 *    28  u32 number of records
 *   records, each 8-byte aligned: u16 type, u16 flags, u32 payload bytes, payload.
 *
 * A record's payload is a list of little-endian fields; a newer minor may append fields
 * (a reader takes the ones it knows and skips the rest, a record shorter than it knows
 * is malformed) or add record types. A record type a reader does not know is skipped,
 * unless its flags say IOFD_STATE_REC_REQUIRED: then the state is refused, as one of a
 * newer major is.
 */
#ifndef IOFD_POLICY_CONTAINER_STATE_H
#define IOFD_POLICY_CONTAINER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "policy/ivlist.h"

#define IOFD_STATE_MAGIC "iofdcpr\n"
#define IOFD_STATE_MAJOR 1
#define IOFD_STATE_MINOR 0
#define IOFD_STATE_HEADER_SIZE 32
/* The largest state taken: far above any real container's (a million mappings: 48 MiB). */
#define IOFD_STATE_MAX_SIZE (1ull << 30)

enum iofd_state_rec {
	IOFD_REC_CONTAINER = 1,     /* the container: flags, IOAS, tracking */
	IOFD_REC_IOVA_RANGE = 2,    /* an allowed IOVA range of the IOAS when saved */
	IOFD_REC_DOMAIN = 3,        /* an automatic domain (HWPT) */
	IOFD_REC_DEVICE = 4,        /* a device of the container */
	IOFD_REC_REFUSAL = 5,       /* a domain known to refuse devices of an IOMMU */
	IOFD_REC_COMBO_REFUSAL = 6, /* an IOMMU known to refuse NEST_PARENT with dirty tracking */
	IOFD_REC_MAP = 7,           /* a mapping */
	IOFD_REC_DIRTY = 8,         /* a range of dirty pages not yet reported */
};
/* Record flags: a reader that does not know the type must refuse the state. */
#define IOFD_STATE_REC_REQUIRED 0x1

/* An IOMMU as placement knows it (struct iofd_iommu_key). */
struct iofd_state_key {
	uint32_t hw_type;
	char iommu[64];
	char driver[64];
};

struct iofd_state_domain {
	uint32_t hwpt_id;
	uint32_t flags;    /* IOMMUFD_DOMAIN_* */
	bool tracking;
	struct iofd_state_key made_for;
};

enum iofd_state_dev_kind {
	IOFD_STATE_DEV_VFIO = 1,     /* a VFIO cdev: taken over through its fd */
	IOFD_STATE_DEV_SELFTEST = 2, /* a kernel selftest mock device: by its ids */
};
/* Device flags. */
#define IOFD_STATE_DEV_EMULATED 0x1
#define IOFD_STATE_DEV_HW_KNOWN 0x2 /* hw_ret, hw_type and hw_caps hold GET_HW_INFO's answer */
#define IOFD_STATE_DEV_NO_DIRTY 0x4 /* selftest:no-dirty */

struct iofd_state_device {
	uint32_t kind;       /* enum iofd_state_dev_kind */
	uint32_t flags;      /* IOFD_STATE_DEV_* */
	int32_t fd;          /* VFIO: the cdev fd's number in the process that has it */
	uint32_t dev_id;
	uint32_t hwpt_id;    /* its domain; 0: attached to the IOAS itself */
	uint32_t pt_id;      /* what it is attached to as the kernel said (iommufd_device_pt_id) */
	uint32_t uncovered;  /* enum iofd_uncovered */
	uint32_t stdev_id;   /* selftest: the mock device object */
	uint32_t park_ioas;  /* selftest: its private IOAS */
	int32_t hw_ret;      /* 0 or the lasting -ENOENT */
	uint32_t hw_type;
	uint64_t hw_caps;
	char name[64];
	char cdev[64];
	char iommu[64];
	char driver[64];
};

struct iofd_state_refusal {
	uint32_t hwpt_id; /* 0 in a combo refusal */
	struct iofd_state_key key;
};

/* Mapping flags. */
#define IOFD_STATE_MAP_FILE 0x1     /* of a file; else of user memory (va not kept) */
#define IOFD_STATE_MAP_READONLY 0x2 /* known for files only */

struct iofd_state_map {
	uint64_t iova;
	uint64_t last;
	uint32_t flags;    /* IOFD_STATE_MAP_* */
	int32_t fd;        /* file: its number in the saving process when saved, else -1 */
	uint64_t offset;   /* file: the byte at iova */
	uint64_t file_dev; /* file: st_dev and st_ino, what it is */
	uint64_t file_ino;
};

struct iofd_state {
	uint32_t container_flags;
	uint32_t ioas_id;
	bool tracking;
	uint64_t alignment;           /* IOVA_RANGES' out_iova_alignment when saved */
	struct iofd_range *ranges;    /* the IOAS's allowed IOVA ranges when saved */
	size_t nranges;
	struct iofd_state_domain *domains;
	size_t ndomains;
	struct iofd_state_device *devices;
	size_t ndevices;
	struct iofd_state_refusal *refusals;
	size_t nrefusals;
	struct iofd_state_refusal *combo_refusals;
	size_t ncombo_refusals;
	struct iofd_state_map *maps;  /* in IOVA order */
	size_t nmaps;
	struct iofd_range *dirty;     /* in IOVA order */
	size_t ndirty;
};

void iofd_state_fini(struct iofd_state *st);

/*
 * Serialize st (its arrays may be longer than their counts say: only the counts are
 * written) into a malloc'd buffer. 0, or -ENOMEM / -EFBIG (past IOFD_STATE_MAX_SIZE).
 */
int iofd_state_encode(const struct iofd_state *st, void **buf, size_t *len);

/*
 * Parse and check a state of len bytes: its header, checksum, version, records and how
 * they refer to each other. 0 and *st filled, or -errno with the message set on ctx
 * (what names the call): -EBADMSG (truncated, corrupted, malformed), -EINVAL (not a
 * state), -EPROTONOSUPPORT (a newer major, or a record it must understand and does not).
 */
int iofd_state_decode(struct iommufd_ctx *ctx, const char *what, const void *buf, size_t len,
		      struct iofd_state *st);

/*
 * Read one state from fd at its position (exactly its size: the fd may carry more after
 * it) into a malloc'd buffer. 0, or -errno with the message set (-EBADMSG when the file
 * ends first, the errno of read(2) otherwise).
 */
int iofd_state_read_fd(struct iommufd_ctx *ctx, const char *what, int fd, void **buf,
		       size_t *len);
/* The same without a context: the reason goes to err (no errno text). */
int iofd_state_read_raw(int fd, void **buf, size_t *len, char *err, size_t errlen);
/*
 * Where a state's VFIO devices are: the fd numbers from[i] become to[i] (n pairs), the
 * checksum is made anew. The state (len bytes) must be whole and uncorrupted: 0, or
 * -errno and why in err.
 */
int iofd_state_renumber_fds(void *buf, size_t len, const int *from, const int *to, unsigned n,
			    char *err, size_t errlen);
/* Write all len bytes to fd. 0 or -errno (of write(2)). */
int iofd_state_write_fd(int fd, const void *buf, size_t len);

/* CRC-32C (Castagnoli) of len bytes, continuing from crc (0 to start). */
uint32_t iofd_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
