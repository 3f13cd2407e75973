/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scenario scripts for differential tests: a sequence of object calls, run
 * once on the real kernel and once on the simulator; the two transcripts
 * must be identical. A transcript names objects by the script's names, and
 * kernel-made HWPTs by their relations ("auto#1" shared by two devices), so
 * that different id numbering does not matter but everything else does.
 *
 * Script lines (numbers in C syntax; X, H, D are names the script gives):
 *   ioas X                              IOAS_ALLOC
 *   destroy X|NUMBER                    DESTROY
 *   map X IOVA|auto LEN [ro] [va=OFF]   IOAS_MAP (OFF into the scenario buffer)
 *   unmap X IOVA LEN                    IOAS_UNMAP, prints the bytes unmapped
 *   copy DST SRC SRC_IOVA LEN DST_IOVA|auto [ro]
 *   ranges X                            IOAS_IOVA_RANGES
 *   allow X START-LAST...               IOAS_ALLOW_IOVAS
 *   open D NAME                         bind a device (NAME "dirty"/"nodirty":
 *                                       a new selftest device / simulated mock)
 *   close D
 *   attach D X|H|NUMBER                 attach or replace
 *   detach D
 *   hwpt H D X [dirty] [nest]           HWPT_ALLOC
 *   hwinfo D                            GET_HW_INFO
 *   track H on|off                      HWPT_SET_DIRTY_TRACKING
 *   dma D IOVA LEN                      the device writes (selftest dirty /
 *                                       iommufd_sim_dma_write): every mapped page
 *                                       of the range; no result shown. Machine B:
 *                                       not over read-only mappings (the
 *                                       selftest marks them, a device faults)
 *   bitmap H IOVA LEN PAGE [noclear] [pre=WORD] [raw|null]  HWPT_GET_DIRTY_BITMAP
 *                                       raw: straight to the backend, past the
 *                                       library's checks (then the bitmap has room
 *                                       for PAGE's lowest set bit, and the count
 *                                       of bits set is shown); null: raw with a
 *                                       NULL bitmap
 *   # comment
 *
 * Container verbs (src/policy; scenario_container.c). A container C's IOAS is
 * the object named C (object verbs take it), its domains are named C.d1,
 * C.d2... as they appear (a name goes with its domain, never reused):
 *   container C [dirty] [nest] [flags=N]  iommufd_container_new
 *   cattach C D / cdetach C D           prints devices and domains after
 *   cmap C IOVA LEN [ro] [va=OFF]       iommufd_container_map
 *   cunmap C IOVA LEN                   (0 0xffffffffffffffff: all)
 *   ctrack C on|off                     set_dirty_tracking
 *   cread C IOVA LEN PAGE [noclear] [pre=WORD] [flags=N]
 *                                       read_dirty: the count, the first words
 *   cstatus C                           dirty_status, and the message with the
 *                                       script's device names
 *   ccovered C D                        device_covered: 1/0 and why
 *   cdomains C                          domains(): name(flags,ndevices:devices)
 *   cfree C                             free, then each of its objects must be
 *                                       gone (DESTROY answers ENOENT)
 * Containers still there at the end are freed before the devices close.
 *
 * Nesting verbs (scenario_nested.c; the mock: machine B): vIOMMUs are the
 * mock's (0xdeadbeef), stage-1 data its 0xdead; what the hardware does and
 * the mock's caches are test ops on the kernel, simulator calls on the sim:
 *   viommu V D H [data]                 VIOMMU_ALLOC on nest parent H (data: its loopback)
 *   vdevice X V D VIRT                  VDEVICE_ALLOC
 *   nested N D H|V [iotlb=N] [type=T] [len=L] [fault=F] [pasid]
 *                                       a stage-1 HWPT from a parent or a vIOMMU
 *   hinval N F:ID... / vinval V F:VDEV:CACHE... [type=T]
 *                                       HWPT_INVALIDATE; prints the entries done
 *   iotlb D IDX VAL / devcache D IDX VAL  does the mock's entry hold VAL (0 or EINVAL)
 *   vevent D / iopf D PASID GRPID       TRIGGER_VEVENT, TRIGGER_IOPF
 *   faultq F / veventq Q V DEPTH        the queues (named objects, their files kept)
 *   readf F [MAX] / readq Q [MAX]       read: faults (device/group/flags/pasid/cookie),
 *                                       events (sequence/flags/lost/virtual id)
 *   respond F COOKIE CODE / closeq F|Q
 *   cvirt C D VIRT / cnest C D [iotlb=N] / cunnest C D  container nesting; print where
 *                                       the device stands (cnesting C D alone)
 *   cinval C D dom|vi F:ID|F:VDEV:CACHE container invalidation
 * A line "# show transcript" makes guest_diff print the kernel's transcript.
 */
#ifndef VM_SCENARIO_H
#define VM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommufd/iommufd.h>

enum scn_flavour {
	SCN_VTD,  /* machine A: VT-d and VFIO devices */
	SCN_MOCK, /* machine B: selftest mock devices */
};

/*
 * What runs did, added up (scn_coverage measures the generated sequences
 * with it). A step succeeded when its result is no errno and no "no such
 * device open" / "no such container" / "already ...".
 */
#define SCN_NVERBS 64
struct scn_stats {
	unsigned steps, ok;
	unsigned verb_runs[SCN_NVERBS], verb_ok[SCN_NVERBS]; /* indexed like scn_verbs */
	unsigned dirty_reads;     /* cread or bitmap that found dirty pages */
	unsigned unplug_tracking; /* devices that left a tracking container (cdetach, close) */
	unsigned domain_tracking; /* domains a container made while it was tracking */
	unsigned replaces;        /* attach of a device already attached elsewhere (object verbs) */
	unsigned kernel_iovas;    /* map or copy to an IOVA the kernel chose */
};
/* The verbs, NULL-terminated. */
extern const char *const scn_verbs[];

struct scn_backend {
	const char *label;         /* "kernel" or "sim" */
	struct iommufd_ctx *ctx;
	struct iommufd_sim *sim;   /* NULL: the real kernel */
	enum scn_flavour flavour;
	struct scn_stats *stats;   /* NULL, or where a run adds up what it did */
};

/* A growing text buffer. */
struct scn_text {
	char *s;
	size_t len, cap;
};
void scn_text_printf(struct scn_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void scn_text_free(struct scn_text *t);

/* Run a script; the transcript goes to out. 0, or -EINVAL for a script error (in out). */
int scn_run(struct scn_backend *be, const char *script, struct scn_text *out);

/* The n-th generated script of a flavour (deterministic). */
void scn_generate(enum scn_flavour flavour, unsigned n, struct scn_text *out);
/* The n-th generated container script of a flavour (deterministic). */
void scn_generate_container(enum scn_flavour flavour, unsigned n, struct scn_text *out);
/* The n-th generated nesting script (machine B's mock; deterministic). */
void scn_generate_nested(enum scn_flavour flavour, unsigned n, struct scn_text *out);

/* The simulated host that mirrors a machine (imitating the simulator's default kernel). */
const char *scn_sim_topology(enum scn_flavour flavour);
/* The same imitating a kernel ("6.12", "7.3"; the simulator's "kernel" key). */
const char *scn_sim_topology_kernel(enum scn_flavour flavour, const char *kernel);

#endif
