/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated kernel: a userspace model of iommufd and VFIO device cdevs.
 * It follows Linux 6.12 (drivers/iommu/iommufd, drivers/vfio) rule by rule;
 * where the two disagree the kernel is right and this model is the bug.
 *
 * Every entry point takes sim->lock, so the functions declared here run
 * with it held.
 *
 * Modelled per driver: Intel VT-d as in 6.12 (domains shared across units
 * when dirty tracking and address width allow; IOAPIC MSI window reserved;
 * dirty bits only while tracking), ARM SMMUv3 as in 6.13 (hw info type 2;
 * domains bound to one SMMU; a nest parent cannot track dirty bits; dirty
 * state kept whether or not tracking is "enabled"; SW MSI window reserved),
 * the kernel's selftest mock IOMMU ("iommufd-selftest": hw info type
 * SELFTEST; 2 KiB IO pages; aperture 16 MiB .. 2 GiB - 1; nest parents with
 * or without dirty tracking), any other driver generically (hw info type
 * NONE, no nesting). A topology may say per IOMMU whether it nests and where
 * its aperture lies; the driver gives the defaults.
 *
 * IOAS_MAP_FILE (6.13; ENOTTY on a 6.12 topology) is modelled as 7.x has
 * it, for memfds (and any tmpfs or hugetlbfs file): the area holds the
 * file; its pages are pinned, as the kernel's memfd_pin_folios() does, once
 * a domain needs them, which fails for other files and beyond the end of
 * the file. dma-bufs are not.
 *
 * VIOMMU_ALLOC (6.13) answers with the kernel's checks, then EOPNOTSUPP: no
 * driver of the model makes vIOMMUs. GET_HW_INFO reports a device's PASID
 * width and modes as the topology gives them.
 *
 * Not modelled: IOMMU_OPTION, IOMMU_VFIO_IOAS, HWPT_INVALIDATE, fault
 * queues (none can be made: a HWPT given one finds none), nested (stage-1)
 * domains and vIOMMUs (all ENOTTY or EOPNOTSUPP here); the
 * mock's huge IO pages (MOCK_FLAGS_DEVICE_HUGE_IOVA);
 * IOMMU groups with more than one device; RLIMIT_MEMLOCK accounting;
 * pinning read-only memory writeable (the kernel says EFAULT, this model
 * only checks that the memory is mapped); huge IOMMU pages (dirty bits are
 * kept per smallest IO page).
 */
#ifndef IOFD_SIM_INTERNAL_H
#define IOFD_SIM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommufd/iommufd.h>

#include "sim/rangeset.h"
#include "transport/transport.h"

#define SIM_PAGE_SHIFT 12
#define SIM_PAGE_SIZE (1ull << SIM_PAGE_SHIFT)
/* IOVA allocation keeps at most this much of the user address's alignment (THP size) */
#define SIM_HPAGE_SIZE (2ull << 20)
#define SIM_NAME_MAX 64
#define SIM_ERR_MAX 256

/* ---- topology ---------------------------------------------------------- */

enum sim_driver {
	SIM_DRV_OTHER,
	SIM_DRV_INTEL_VTD,
	SIM_DRV_ARM_SMMUV3,
	SIM_DRV_SELFTEST, /* the kernel's iommufd selftest mock IOMMU */
};

struct sim_iommu {
	char name[SIM_NAME_MAX];
	char driver[SIM_NAME_MAX];
	enum sim_driver kind;
	bool dirty_tracking;
	bool nesting;              /* domains may be nest parents */
	unsigned int iova_bits;
	uint64_t aperture_start;   /* the domains' geometry: first IOVA */
	uint64_t aperture_last;    /* last IOVA, inclusive (the kernel's aperture_end) */
	uint64_t pgsize_bitmap;
};

struct sim_df;

struct sim_device {
	char name[SIM_NAME_MAX];
	char cdev[SIM_NAME_MAX];
	struct sim_iommu *iommu; /* NULL for an emulated (mdev) device */
	bool emulated;
	/* PASIDs as GET_HW_INFO reports them (the PCI PASID capability): width 0 is none */
	unsigned int pasid_bits;
	bool pasid_exec, pasid_priv;
	/* the device file that has the device open (bound); a cdev opens once */
	struct sim_df *open_df;
};

struct sim_topology {
	struct sim_iommu *iommus;
	unsigned int niommus;
	struct sim_device *devices;
	unsigned int ndevices;
	unsigned int kernel; /* the kernel imitated: major * 100 + minor (kernel.c) */
};

/* The largest topology taken (file or text): far above any real host's. */
#define SIM_TOPOLOGY_MAX (16u << 20)
#define SIM_TOPOLOGY_MAX_STR "16 MiB"

/*
 * Parse a topology (JSON text of len bytes, at most SIM_TOPOLOGY_MAX, no NUL
 * byte). 0 or -errno and err set.
 */
int sim_topology_parse(const char *json, size_t len, struct sim_topology *out, char *err,
		       size_t errlen);
int sim_topology_default(struct sim_topology *out, char *err, size_t errlen);
void sim_topology_free(struct sim_topology *topo);
/* src copied to dst (len bytes) with control characters as \n, \t, \r or \xNN: one line. */
void sim_msg_escape(char *dst, size_t len, const char *src);
struct sim_device *sim_topology_find(struct sim_topology *topo, const char *name);

/* ---- kernel objects ---------------------------------------------------- */

enum sim_obj_type {
	SIM_OBJ_ANY = 0,
	SIM_OBJ_DEVICE,
	SIM_OBJ_HWPT_PAGING,
	SIM_OBJ_IOAS,
	SIM_OBJ_ACCESS,
};

struct sim_ictx;

/*
 * users counts references as the kernel does: one for the id table, plus one
 * per object or driver holding this one. DESTROY succeeds only at one.
 */
struct sim_obj {
	enum sim_obj_type type;
	uint32_t id;
	unsigned int users;
	struct sim_ictx *ictx;
};

enum {
	SIM_PROT_READ = 1 << 0,
	SIM_PROT_WRITE = 1 << 1,
};

/* One mapping of the IOAS: [iova, last] backed by user memory at uva, or by a file. */
struct sim_area {
	uint64_t iova;
	uint64_t last;
	uint64_t uva;        /* user address of the byte at iova (a file: its offset) */
	int file;            /* -1: user memory; else the file, held open by the area */
	bool pages_writable; /* the pages were taken writeable (MAP/COPY source) */
	int prot;            /* SIM_PROT_* */
};

/* An IOVA range the IOAS may not use; owner is the domain or device that asked. */
struct sim_resv {
	uint64_t start;
	uint64_t last;
	const void *owner;
};

struct sim_hwpt;
struct sim_access;

struct sim_ioas {
	struct sim_obj obj;
	struct sim_area *areas; /* sorted by iova, disjoint */
	size_t nareas, areas_cap;
	struct sim_range *allowed; /* IOAS_ALLOW_IOVAS, sorted, disjoint */
	size_t nallowed;
	struct sim_resv *resv;
	size_t nresv, resv_cap;
	struct sim_hwpt **hwpts; /* every paging domain of this IOAS, oldest first */
	size_t nhwpts, hwpts_cap;
	struct sim_access **accesses;
	size_t naccesses, accesses_cap;
};

/* A paging domain (HWPT_PAGING), user-allocated or an automatic one. */
struct sim_hwpt {
	struct sim_obj obj;
	struct sim_ioas *ioas;
	const struct sim_iommu *iommu; /* the IOMMU of the device it was made for */
	bool auto_domain;
	bool nest_parent;
	bool dirty_ops;  /* allocated with DIRTY_TRACKING */
	bool tracking;   /* HWPT_SET_DIRTY_TRACKING enabled */
	uint64_t aperture_start;    /* geometry: [aperture_start, aperture_last] */
	uint64_t aperture_last;
	unsigned int gaw_bits;      /* VT-d: address width of the last attached IOMMU */
	bool mapped;                /* VT-d: max_last is valid */
	uint64_t max_last;          /* VT-d: highest IOVA ever mapped */
	uint64_t pgsize_bitmap;
	unsigned int io_page_shift; /* the smallest IO page: what dirty bits are kept per */
	struct sim_rangeset dirty;  /* dirty IOMMU pages (iova >> io_page_shift) */
};

struct sim_idev {
	struct sim_obj obj;
	struct sim_device *dev;
	struct sim_hwpt *hwpt; /* attached domain, NULL if none */
};

/* How an emulated device reaches an IOAS (no IOMMU of its own). */
struct sim_access {
	struct sim_obj obj;
	struct sim_device *dev;
	struct sim_ioas *ioas; /* NULL if not attached */
};

/* One open /dev/iommu: the iommufd context. */
struct sim_ictx {
	struct iommufd_sim *sim;
	int fd;            /* -1 once the file is closed */
	unsigned int refs; /* the open file and each bound device file */
	struct sim_obj **objs; /* indexed by id; 0 is never used */
	uint32_t objs_cap;
	long nobjs;
	struct sim_ictx *next;
};

/* One open device cdev. */
struct sim_df {
	struct iommufd_sim *sim;
	int fd;
	struct sim_device *dev;
	struct sim_ictx *ictx; /* set once bound */
	struct sim_idev *idev;     /* physical device, bound */
	struct sim_access *access; /* emulated device, bound */
	bool attached;
	struct sim_df *next;
};

enum sim_fd_kind {
	SIM_FD_IOMMUFD,
	SIM_FD_DEVICE,
};

struct sim_fd {
	int fd;
	enum sim_fd_kind kind;
	void *ptr;
};

struct iommufd_sim {
	pthread_mutex_t lock;
	unsigned int refs; /* the creator's and one per context */
	struct sim_topology topo;
	struct sim_ictx *ictxs;
	struct sim_df *dfs;
	struct sim_fd *fds;
	size_t nfds, fds_cap;
	unsigned int fail_countdown; /* the call that brings it to 0 fails */
	int fail_err;
};

/* A command buffer as the kernel sees it: the user's struct and the kernel copy. */
struct sim_ucmd {
	struct sim_ictx *ictx;
	void *ubuf;
	uint32_t user_size;
	void *cmd;
};

/* Copy the kernel copy back into the user's struct (no more than user_size bytes). */
void sim_ucmd_respond(struct sim_ucmd *ucmd, size_t cmd_len);

/* ---- sim.c ---------------------------------------------------------- */
void sim_put_locked(struct iommufd_sim *sim); /* drops a ref; may free sim (and unlocks) */
struct sim_fd *sim_fd_lookup(struct iommufd_sim *sim, int fd);
int sim_fd_add(struct iommufd_sim *sim, enum sim_fd_kind kind, void *ptr);
void sim_fd_remove(struct iommufd_sim *sim, int fd);

/* ---- ictx.c --------------------------------------------------------- */
int sim_ictx_open(struct iommufd_sim *sim);
void sim_ictx_put(struct sim_ictx *ictx);
void sim_ictx_close_fd(struct sim_ictx *ictx);
int sim_obj_add(struct sim_ictx *ictx, struct sim_obj *obj, enum sim_obj_type type);
void sim_obj_remove(struct sim_obj *obj);
struct sim_obj *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type type);
int sim_cmd_destroy(struct sim_ucmd *ucmd);

/* ---- ioas.c --------------------------------------------------------- */
struct sim_ioas *sim_ioas_get(struct sim_ictx *ictx, uint32_t id);
void sim_ioas_destroy(struct sim_ioas *ioas);
uint64_t sim_ioas_alignment(const struct sim_ioas *ioas);
int sim_ioas_reserve(struct sim_ioas *ioas, uint64_t start, uint64_t last, const void *owner);
void sim_ioas_unreserve(struct sim_ioas *ioas, const void *owner);
int sim_ioas_add_domain(struct sim_ioas *ioas, struct sim_hwpt *hwpt);
void sim_ioas_remove_domain(struct sim_ioas *ioas, struct sim_hwpt *hwpt);
int sim_ioas_add_access(struct sim_ioas *ioas, struct sim_access *access);
void sim_ioas_remove_access(struct sim_ioas *ioas, struct sim_access *access);
/* index of the area containing iova, or -1 */
long sim_ioas_area_at(const struct sim_ioas *ioas, uint64_t iova);
/* index of the first area intersecting [start, last], or -1 */
long sim_ioas_area_first_in(const struct sim_ioas *ioas, uint64_t start, uint64_t last);
/* every byte of [iova, last] mapped with prot, in contiguous areas */
bool sim_ioas_range_has_prot(const struct sim_ioas *ioas, uint64_t iova, uint64_t last, int prot);
int sim_cmd_ioas_alloc(struct sim_ucmd *ucmd);
int sim_cmd_ioas_iova_ranges(struct sim_ucmd *ucmd);
int sim_cmd_ioas_allow_iovas(struct sim_ucmd *ucmd);
int sim_cmd_ioas_map(struct sim_ucmd *ucmd);
int sim_cmd_ioas_map_file(struct sim_ucmd *ucmd);
int sim_cmd_ioas_copy(struct sim_ucmd *ucmd);
int sim_cmd_ioas_unmap(struct sim_ucmd *ucmd);

/* ---- hwpt.c --------------------------------------------------------- */
int sim_hwpt_paging_alloc(struct sim_ictx *ictx, struct sim_ioas *ioas, struct sim_idev *idev,
			  uint32_t flags, bool immediate_attach, bool user_data,
			  struct sim_hwpt **out);
void sim_hwpt_destroy(struct sim_hwpt *hwpt);
int sim_hwpt_attach(struct sim_hwpt *hwpt, struct sim_idev *idev);
struct sim_hwpt *sim_hwpt_detach(struct sim_idev *idev);
int sim_hwpt_replace(struct sim_idev *idev, struct sim_hwpt *hwpt, struct sim_hwpt **old);
void sim_hwpt_put(struct sim_hwpt *hwpt);
/* the domain's IOMMU writes back dirty bits for these pages (it is tracking) */
bool sim_hwpt_records_dirty(const struct sim_hwpt *hwpt);
int sim_cmd_hwpt_alloc(struct sim_ucmd *ucmd);
int sim_cmd_get_hw_info(struct sim_ucmd *ucmd);
int sim_cmd_hwpt_set_dirty_tracking(struct sim_ucmd *ucmd);
int sim_cmd_hwpt_get_dirty_bitmap(struct sim_ucmd *ucmd);

/*
 * The caller's dirty bitmap as the kernel writes it (hwpt.c): u64 words at any
 * byte address (it sets bits byte by byte), and only where it can pin the
 * memory for writing. Where it cannot (NULL, unmapped, read-only) the bits are
 * dropped and the read still answers 0, clearing what it read unless NO_CLEAR:
 * measured on Linux 6.12. The library refuses a NULL bitmap before asking.
 */
struct sim_user_bitmap {
	unsigned char *base; /* NULL: nothing is written */
	uintptr_t page;      /* the page last checked, and whether it can be written */
	bool page_ok;
};
/* Set bits b0..b1 of the caller's bitmap (where it can be written). */
void sim_user_bitmap_set(struct sim_user_bitmap *ub, uint64_t b0, uint64_t b1);

/* ---- kernel.c: what differs between the kernels imitated -------------- */
#define SIM_KERNEL_DEFAULT 703 /* the newest known */
struct iofd_hwpt_get_dirty_bitmap;
/*
 * What a kernel has that 6.12 has not (topo.kernel at least this); for those only 7.3 is
 * known to have, 7.3.
 */
#define SIM_KERNEL_MAP_FILE 613        /* IOAS_MAP_FILE */
#define SIM_KERNEL_VIOMMU 613          /* VIOMMU_ALLOC */
#define SIM_KERNEL_HW_INFO_IN_TYPE 703 /* GET_HW_INFO for a type asked for */
#define SIM_KERNEL_PAGING_FAULT 703    /* a fault queue for a paging HWPT */
/* "6.12", "7.3" to 612, 703; else -EINVAL and err set */
int sim_kernel_parse(const char *text, unsigned int *version, char *err, size_t errlen);
const char *sim_kernel_name(unsigned int version);
/* a host the kernel cannot have (6.12: mock devices beside VT-d): -EINVAL and err set */
int sim_kernel_check(const struct sim_topology *topo, char *err, size_t errlen);
/* dirty bits kept per page table entry (7.x's selftest mock), not per IO page */
bool sim_kernel_dirty_per_entry(const struct sim_hwpt *hwpt);
/* such a domain: the device wrote [s, e] of area a; its read of [start, last] in a */
int sim_kernel_dirty_write(struct sim_hwpt *hwpt, const struct sim_area *a, uint64_t s,
			   uint64_t e);
int sim_kernel_read_and_clear(struct sim_hwpt *hwpt, const struct iofd_hwpt_get_dirty_bitmap *cmd,
			      struct sim_user_bitmap *ub, const struct sim_area *a, uint64_t start,
			      uint64_t last);

/* ---- viommu.c ------------------------------------------------------- */
int sim_cmd_viommu_alloc(struct sim_ucmd *ucmd);

/* ---- device.c ------------------------------------------------------- */
int sim_df_open(struct iommufd_sim *sim, struct sim_device *dev);
void sim_df_close(struct sim_df *df);
int sim_df_ioctl(struct sim_df *df, unsigned long request, void *arg);
void sim_idev_destroy(struct sim_idev *idev);
void sim_access_destroy(struct sim_access *access);
int sim_device_dma_write(struct iommufd_sim *sim, struct sim_device *dev, uint64_t iova,
			 uint64_t len);

/* Check that [uva, uva + len) is mapped in this process, as pinning would. 0 or -EFAULT. */
int sim_user_range_present(uint64_t uva, uint64_t len);
/* The same for pinning to write into it (mapped and writeable). 0 or -EFAULT. */
int sim_user_range_writable(uint64_t uva, uint64_t len);

static inline uint64_t sim_bits_last(unsigned int bits)
{
	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

#endif
