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
 * the file. dma-bufs are not. GET_HW_INFO reports a device's PASID width and
 * modes as the topology gives them.
 *
 * Nesting as 6.12 and 7.3 have it: nested (stage-1) domains from a nest
 * parent (VT-d: VTD_S1 data; the mock: its 0xdead data) on both; vIOMMUs,
 * vDEVICEs and nested domains from a vIOMMU (SMMUv3: type ARM_SMMUV3, STEs
 * checked as its driver does; the mock: type 0xdeadbeef) from 6.13
 * (nested.c, viommu.c, vdevice.c); HWPT_INVALIDATE of nested domains (the
 * mock's IOTLB, VT-d's entries) and vIOMMUs (the mock's device caches,
 * SMMUv3's opcodes and vSIDs: viommu_invalidate.c); fault queues and vEVENTQs (eventq.c) fed by the hardware calls
 * (nest_hw.c: iommufd_sim_trigger_iopf, _trigger_vevent); PASIDs of VFIO and
 * mock devices (pasid.c). DMA through a nested domain takes the guest's stage
 * 1 as identity (its tables are not walked) and lands in the nest parent,
 * which records the dirty bits.
 *
 * Processes (live update): each context is a process of its own (struct
 * sim_proc), and each area counts against the process that mapped it while
 * a domain pins it; IOAS_CHANGE_PROCESS moves what every area of an iommufd
 * counts against to the caller, if all are of files.
 *
 * Descriptors: a simulated file is numbered by real descriptors, so that the
 * program's own files never take its numbers, and may have several numbers
 * (dup(2), SCM_RIGHTS, inheritance), each in the table; it closes with its
 * last. /dev/iommu and cdev files are memfds, each its own: a number the
 * simulator was not told of is the same file when it refers to the same memfd,
 * as on the kernel, and poll() finds them always ready, as the kernel's
 * files without a poll method. The other files (event queues, accesses) are
 * eventfds, whose counter carries readiness (sim_file.c); their copies are
 * known only when a host tells of them (sim_host_dup()).
 *
 * Beyond what the library uses, for programs written against the kernel
 * (the kernel's own selftest, under libiommufd-preload): IOMMU_TEST_CMD with
 * the mock's devices (test_cmd.c), options, the VFIO container (option.c,
 * vfio_compat.c), the mock vIOMMU's pages to mmap (viommu.c) and HW queues (hw_queue.c).
 *
 * Not modelled: no-IOMMU mode; dma-bufs; fault groups of more than one
 * request; the fields of SMMUv3 commands beyond opcode and vSID; VT-d's
 * stage-1 table walk; 6.12's mock huge IO pages (MOCK_FLAGS_DEVICE_HUGE_IOVA);
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
	bool iopf;                 /* I/O page faults: a domain with a fault queue attaches */
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
	/* a mock device of the kernel's selftest (IOMMU_TEST_OP_MOCK_DOMAIN, test_cmd.c) */
	bool mock;
	bool no_dirty;           /* MOCK_FLAGS_DEVICE_NO_DIRTY: its IOMMU tracks no dirty bits */
	/* (pasid_bits above: the mock's PASID devices have 20) */
	uint32_t cache[4];       /* the mock's per-device cache, invalidated through a vIOMMU */
	bool pasid_1024_armed;   /* the mock fails the next change of PASID 1024 */
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
	SIM_OBJ_HWPT_NESTED, /* nested.c */
	SIM_OBJ_SELFTEST,    /* a mock device (test_cmd.c) */
	SIM_OBJ_FAULT,       /* eventq.c */
	SIM_OBJ_VIOMMU,      /* viommu.c */
	SIM_OBJ_VDEVICE,     /* vdevice.c */
	SIM_OBJ_VEVENTQ,     /* eventq.c */
	SIM_OBJ_HW_QUEUE,    /* hw_queue.c */
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
	unsigned int owner;  /* the process its pinned pages count against (struct sim_proc) */
	uint64_t pages_id;   /* the kernel's iopt_pages: one per MAP, shared by COPY */
	uint8_t backing;     /* a cache: 0 not asked yet, 1 small pages, 2 huge pages */
};

/*
 * IOVA ranges, each with the owner that put it there and takes it away (owned_ranges.c):
 * an IOAS's reserved ranges (owner: the domain or device that asked) and the ranges the
 * kernel pins for itself (owner: the HW queue).
 */
struct sim_owned_range {
	uint64_t start;
	uint64_t last;
	const void *owner;
};
struct sim_owned_ranges {
	struct sim_owned_range *r; /* unsorted */
	size_t n, cap;
};
int sim_owned_ranges_add(struct sim_owned_ranges *l, uint64_t start, uint64_t last,
			 const void *owner);
/* Drop every range of owner. */
void sim_owned_ranges_drop(struct sim_owned_ranges *l, const void *owner);
/* Does a range meet [start, last]? */
bool sim_owned_ranges_hit(const struct sim_owned_ranges *l, uint64_t start, uint64_t last);
void sim_owned_ranges_free(struct sim_owned_ranges *l);

struct sim_hwpt;
struct sim_access;
struct sim_fault;
struct sim_viommu;
struct sim_vdevice;
struct sim_staccess;
struct iofd_hwpt_invalidate;

struct sim_ioas {
	struct sim_obj obj;
	struct sim_area *areas; /* sorted by iova, disjoint */
	size_t nareas, areas_cap;
	struct sim_range *allowed; /* IOAS_ALLOW_IOVAS, sorted, disjoint */
	size_t nallowed;
	struct sim_owned_ranges resv;
	struct sim_hwpt **hwpts; /* every paging domain of this IOAS, oldest first */
	size_t nhwpts, hwpts_cap;
	struct sim_access **accesses;
	size_t naccesses, accesses_cap;
	bool no_large_pages; /* IOMMU_OPTION_HUGE_PAGES 0 (or VFIO type1): PAGE_SIZE alignment */
	/* ranges pinned by the kernel for itself (HW queues): unmap is EBUSY there */
	struct sim_owned_ranges kpins;
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
	bool pasid_compat;          /* HWPT_ALLOC_PASID */
	bool mock_huge;             /* the 7.x mock's MOCK_IOMMUPT_HUGE page table */
	struct sim_fault *fault;    /* FAULT_ID_VALID: where the domain's page faults go */
	/* a nested domain (SIM_OBJ_HWPT_NESTED): stage 1 over parent, which holds the IOAS */
	struct sim_hwpt *parent;
	struct sim_viommu *viommu;  /* made on a vIOMMU */
	uint32_t iotlb[4];          /* the mock's nested IOTLB */
	uint64_t ste[2];            /* SMMUv3: the guest's STE (EATS cleared) */
};

/* A domain a PASID of the device is attached to (pasid.c). */
struct sim_pasid_att {
	uint32_t pasid;
	struct sim_hwpt *hwpt;
};

struct sim_idev {
	struct sim_obj obj;
	struct sim_device *dev;
	struct sim_hwpt *hwpt; /* attached domain, NULL if none */
	struct sim_pasid_att *pasids;
	size_t npasids, pasids_cap;
	struct sim_vdevice *vdev; /* its vDEVICE, if any */
	/*
	 * What the driver kept at the last attach for reporting the device's events: the vIOMMU
	 * of its nested domain and its virtual id there (a vDEVICE destroyed since leaves it).
	 */
	struct sim_viommu *ev_viommu;
	uint64_t ev_virt_id;
};

/* How an emulated device reaches an IOAS (no IOMMU of its own). */
struct sim_access {
	struct sim_obj obj;
	struct sim_device *dev;
	struct sim_ioas *ioas; /* NULL if not attached */
	/* a selftest access (test_access.c): its own alignment, and the file that owns it */
	uint64_t iova_alignment; /* 0: PAGE_SIZE (an emulated device's) */
	struct sim_staccess *st;
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
	/* IOMMU_OPTION_RLIMIT_MODE and IOMMU_VFIO_IOAS (option.c, vfio_compat.c) */
	bool account_mm;
	struct sim_ioas *vfio_ioas;
	/* vIOMMU regions to mmap() (viommu.c): offsets handed out from here up */
	uint64_t next_mmap_offset;
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
	SIM_FD_FILE, /* any other file the kernel hands out: struct sim_file (sim_file.c) */
};

/* A number of a simulated file in the program (several numbers may be one file). */
struct sim_fd {
	int fd;
	enum sim_fd_kind kind;
	void *ptr;          /* the file: struct sim_ictx, sim_df or sim_file */
	unsigned int proc;  /* the process that holds this number */
	uint64_t dev, ino;  /* the memfd behind it, which every number of the file shares; 0: an
			     * eventfd, which tells no file apart */
	bool own;           /* made by the simulator; else the program's (received, dup'ed) */
};

/* A process of the simulated host: each context (iommufd_sim_open, iommufd_sim_from_fd). */
struct sim_proc {
	struct iommufd_sim *sim;
	unsigned int id; /* 0: the program itself (iommufd_sim_open_cdev) */
};

struct iommufd_sim {
	/*
	 * The program itself, process 0. First: a transport call given the simulator as
	 * its priv (the simulator's own tests and the preload shim do that) is then one of
	 * the program's.
	 */
	struct sim_proc self;
	pthread_mutex_t lock;
	unsigned int refs; /* the creator's and one per context */
	struct sim_topology topo;
	struct sim_ictx *ictxs;
	struct sim_df *dfs;
	struct sim_fd *fds;
	size_t nfds, fds_cap;
	uint64_t next_pages_id; /* struct sim_area's pages_id */
	unsigned int fail_countdown; /* the call that brings it to 0 fails */
	int fail_err;
	unsigned int nprocs;    /* processes made: the last id given */
	/* a host that stands the simulator in for a whole process's kernel (sim_host.h) */
	void (*fd_changed)(void *arg, int fd, bool added);
	void *fd_hook_arg;
};

/* A command buffer as the kernel sees it: the user's struct and the kernel copy. */
struct sim_ucmd {
	struct sim_ictx *ictx;
	unsigned int proc; /* the calling process */
	void *ubuf;
	uint32_t user_size;
	void *cmd;
};

/*
 * Copy the kernel copy back into the user's struct (no more than user_size bytes): 0, or
 * -EFAULT where it cannot be written (the command then undoes a new object, as the kernel's).
 */
int sim_ucmd_respond(struct sim_ucmd *ucmd, size_t cmd_len) __attribute__((warn_unused_result));
/* The answer of a command that made obj (fd: its file, or -1): 0, or obj undone and -EFAULT. */
int sim_ucmd_respond_new(struct sim_ucmd *ucmd, size_t cmd_len, struct sim_obj *obj, int fd);

/* ---- sim.c ---------------------------------------------------------- */
void sim_put_locked(struct iommufd_sim *sim); /* drops a ref; may free sim (and unlocks) */
/* The number fd exactly as the simulator gave it, or NULL. */
struct sim_fd *sim_fd_lookup(struct iommufd_sim *sim, int fd);
/*
 * The same, or else a number of the program that refers to a simulated file (a dup, one
 * received or inherited): it becomes one more number of that file, held by proc.
 */
struct sim_fd *sim_fd_get(struct iommufd_sim *sim, int fd, unsigned int proc);
/* A simulated file's first number, held by proc: the number, or -errno. */
int sim_fd_add(struct iommufd_sim *sim, enum sim_fd_kind kind, void *ptr, unsigned int proc);
/* fd, a copy of the number at index of in the table, held by proc: its entry, NULL: no memory. */
struct sim_fd *sim_fd_add_number(struct iommufd_sim *sim, size_t of, int fd, unsigned int proc);
/* Close one number (f: from the table); the file closes with its last one. */
void sim_fd_close(struct iommufd_sim *sim, struct sim_fd *f);
/* fd refers to a simulated file (whatever its number). */
bool sim_fd_is_sim_file(struct iommufd_sim *sim, int fd);

/* ---- ictx.c --------------------------------------------------------- */
int sim_ictx_open(struct iommufd_sim *sim, unsigned int proc);
void sim_ictx_put(struct sim_ictx *ictx);
/* The last number of its file closed (the numbers are sim.c's). */
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
int sim_cmd_ioas_change_process(struct sim_ucmd *ucmd);
int sim_cmd_ioas_unmap(struct sim_ucmd *ucmd);

/* ---- hwpt.c --------------------------------------------------------- */
/* Driver data the user gives (HWPT_ALLOC, VIOMMU_ALLOC): where it is, as the kernel reads it. */
struct sim_user_data {
	uint32_t type;
	uint64_t uptr;
	uint32_t len;
};
/*
 * Read it into dst (size bytes, zero-filled beyond len), as iommu_copy_struct_from_user():
 * another type or a length outside [min, size] is -EINVAL, memory not readable -EFAULT.
 */
int sim_user_data_read(const struct sim_user_data *ud, uint32_t type, void *dst, size_t size,
		       size_t min);
/* ud NULL: no driver data */
int sim_hwpt_paging_alloc(struct sim_ictx *ictx, struct sim_ioas *ioas, struct sim_idev *idev,
			  uint32_t flags, bool immediate_attach, const struct sim_user_data *ud,
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
#define SIM_KERNEL_HW_INFO_IN_TYPE 703 /* GET_HW_INFO for a type asked for */
#define SIM_KERNEL_PAGING_FAULT 703    /* a fault queue for a paging HWPT */
#define SIM_KERNEL_VIOMMU 613          /* VIOMMU_ALLOC, VDEVICE_ALLOC */
#define SIM_KERNEL_HWPT_PASID 614      /* HWPT_ALLOC_PASID, PASID attach */
#define SIM_KERNEL_CHANGE_PROCESS 613  /* IOAS_CHANGE_PROCESS (live update) */
#define SIM_KERNEL_VEVENTQ 615         /* VEVENTQ_ALLOC */
#define SIM_KERNEL_HW_QUEUE 617        /* HW_QUEUE_ALLOC */
#define SIM_KERNEL_MOCK_PT_DATA 703    /* the mock's paging data (MOCK_IOMMUPT_*) */
#define SIM_KERNEL_TEST_OPS_7X 703     /* IOMMU_TEST_OP_DEV_CHECK_CACHE and after */
#define SIM_KERNEL_BIND_TOKEN 617      /* BIND_IOMMUFD: the VF token flag, argsz checked */
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
/* TEST_OP_DIRTY: 1 marked, 0 not mapped, -errno; does the op count pages not mapped (7.x)? */
int sim_kernel_set_dirty(struct sim_hwpt *hwpt, uint64_t iova);
bool sim_kernel_dirty_counts_all(const struct sim_hwpt *hwpt);
int sim_kernel_read_and_clear(struct sim_hwpt *hwpt, const struct iofd_hwpt_get_dirty_bitmap *cmd,
			      struct sim_user_bitmap *ub, const struct sim_area *a, uint64_t start,
			      uint64_t last);

/* ---- device.c ------------------------------------------------------- */
int sim_df_open(struct iommufd_sim *sim, struct sim_device *dev, unsigned int proc);
/* The last number of its file closed: unbind and free (the numbers are sim.c's). */
void sim_df_close(struct sim_df *df);
int sim_df_ioctl(struct sim_df *df, unsigned int proc, unsigned long request, void *arg);
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

/* ---- sim_file.c: the other files the kernel hands out (event queues, accesses) ---- */
struct sim_file;

struct sim_file_ops {
	/* read(2), write(2): a count or -errno; NULL: -EINVAL, as a file without them */
	long (*read)(struct sim_file *f, void *buf, size_t len);
	long (*write)(struct sim_file *f, const void *buf, size_t len);
	/* pread(2), pwrite(2); NULL: -ESPIPE, as a file that cannot seek */
	long (*pread)(struct sim_file *f, void *buf, size_t len, uint64_t off);
	long (*pwrite)(struct sim_file *f, const void *buf, size_t len, uint64_t off);
	/* the file's last descriptor is closed */
	void (*release)(struct sim_file *f);
};

/*
 * Embedded in the object the file stands for; numbered by real descriptors (copies of one
 * eventfd), as many as the program holds.
 */
struct sim_file {
	const struct sim_file_ops *ops;
	struct iommufd_sim *sim;
	int fd;         /* one of its numbers; -1 once the last is closed */
	bool signalled; /* the eventfd is readable: poll() sees POLLIN */
};

/* Give f its first descriptor, held by process proc: the fd or -errno. */
int sim_file_install(struct iommufd_sim *sim, struct sim_file *f, const struct sim_file_ops *ops,
		     unsigned int proc);
/* Its last descriptor was closed (the numbers are sim.c's): release it. */
void sim_file_release(struct sim_file *f);
/* Make poll() on f's descriptor see data to read (ready) or none. */
void sim_file_signal(struct sim_file *f, bool ready);
long sim_file_read(struct sim_file *f, void *buf, size_t len);
long sim_file_pread(struct sim_file *f, void *buf, size_t len, uint64_t off);
long sim_file_pwrite(struct sim_file *f, const void *buf, size_t len, uint64_t off);
long sim_file_write(struct sim_file *f, const void *buf, size_t len);

/* ---- user_mem.c: the calling process's memory, as the kernel reaches it ---- */
/* Copy from or to user memory: 0, or -EFAULT where it is not mapped (readable, writeable). */
int sim_user_read(void *dst, uint64_t uva, size_t len);
int sim_user_write(uint64_t uva, const void *src, size_t len);
/*
 * An entry point from the caller (the transport's ioctl, the hot one) brackets its work
 * with these, passing __builtin_dwarf_cfa(): the caller's frames lie above it, and user
 * memory there is copied without a system call.
 */
uintptr_t sim_user_enter(uintptr_t caller_sp);
void sim_user_leave(uintptr_t saved);
/* clear_user(): zero [uva, uva + len); 0 or -EFAULT (what came before the fault is zeroed). */
int sim_user_clear(uint64_t uva, uint64_t len);
/*
 * copy_struct_from_user(): the user's struct of usize bytes into dst (size bytes, zero-filled
 * past usize); bytes past size must be zero (-E2BIG), checked before the struct is read.
 * 0, -E2BIG or -EFAULT.
 */
int sim_user_struct_read(void *dst, size_t size, uint64_t uva, uint64_t usize);
/* What a page of memory is, so that two mappings of it compare equal. */
struct sim_page_id {
	uint64_t dev, ino; /* a file's; both 0 for anonymous memory */
	uint64_t addr;     /* the offset in the file, or the user address */
};
/* A snapshot of the process's mappings (page_sizes: smaps' too); NULL: out of memory. */
struct sim_vmas;
struct sim_vmas *sim_vmas_load(bool page_sizes);
void sim_vmas_free(struct sim_vmas *vs);
/* The page under uva (its byte); -EFAULT when nothing is mapped there. */
int sim_vmas_page_id(const struct sim_vmas *vs, uint64_t uva, struct sim_page_id *id);
/* The byte at iova of area a. */
int sim_vmas_area_page_id(const struct sim_vmas *vs, const struct sim_area *a, uint64_t iova,
			  struct sim_page_id *id);
/* The size of the page under uva (loaded with page_sizes); 0 when nothing is mapped. */
uint64_t sim_vmas_page_size(const struct sim_vmas *vs, uint64_t uva);
/* uva lies in a huge page (hugetlb): physically contiguous, a compound page. */
bool sim_user_huge(uint64_t uva);

/* ---- more of ioas.c ---- */
/*
 * Map user memory (fixed or not; its pages count against process proc), unmap a range (no
 * ENOENT when empty), cut an area.
 */
int sim_ioas_map_user(struct sim_ioas *ioas, uint64_t uva, uint64_t length, uint64_t *iova,
		      int prot, bool fixed, unsigned int proc);
int sim_ioas_unmap(struct sim_ioas *ioas, uint64_t start, uint64_t last, uint64_t *unmapped);
/*
 * The IOVA the IOAS may use: each hole between its reserved ranges, lowest first, to fn,
 * until fn returns nonzero (returned then). 0, -ENOMEM or fn's value.
 */
int sim_ioas_for_each_hole(const struct sim_ioas *ioas,
			   int (*fn)(void *arg, uint64_t start, uint64_t last), void *arg);
/* IOMMU_OPTION_HUGE_PAGES: 0 (or -EINVAL, -EADDRINUSE) */
int sim_ioas_set_large_pages(struct sim_ioas *ioas, bool enable);
/* Split the area holding iova so that iova is the last byte of one (VFIO type1). */
int sim_ioas_cut(struct sim_ioas *ioas, uint64_t iova);
/* Pin [start, last] for the kernel itself (owner): unmap there is EBUSY until unpinned. */
int sim_ioas_kpin(struct sim_ioas *ioas, uint64_t start, uint64_t last, const void *owner);
void sim_ioas_kunpin(struct sim_ioas *ioas, const void *owner);
/* The pins on the page at uva: distinct pinned pages objects (the kernel's page refcount). */
unsigned int sim_user_page_pins(struct iommufd_sim *sim, const struct sim_vmas *vs, uint64_t uva);

/* ---- device.c ---- */
/* Attach (or replace) a bound device to pt_id: HWPT, nested HWPT, or an IOAS (automatic). */
int sim_idev_change_pt(struct sim_idev *idev, uint32_t *pt_id, bool replace);
bool sim_dev_dirty_capable(const struct sim_device *dev);

/* ---- nested.c: nested HWPTs ---- */
int sim_nested_alloc(struct sim_ucmd *ucmd, struct sim_idev *idev, struct sim_hwpt *parent,
		     struct sim_viommu *viommu, struct sim_hwpt **out);
void sim_nested_destroy(struct sim_hwpt *hwpt);
/* The paging domain that translates for hwpt (itself, or a nested one's parent). */
struct sim_hwpt *sim_hwpt_paging(struct sim_hwpt *hwpt);
int sim_cmd_hwpt_invalidate(struct sim_ucmd *ucmd);
/* The driver's attach_dev of a nested domain (after the core's checks): 0 or -errno. */
int sim_nested_attach_dev(struct sim_hwpt *hwpt, const struct sim_idev *idev);
/* May the device's DMA pass this domain (not a nested SMMUv3 one of an abort STE)? */
bool sim_hwpt_translates(const struct sim_hwpt *hwpt);

/* ---- pasid.c: domains of a device's PASIDs ---- */
int sim_pasid_attach(struct sim_idev *idev, uint32_t pasid, uint32_t *pt_id, bool replace);
void sim_pasid_detach(struct sim_idev *idev, uint32_t pasid);
void sim_pasid_detach_all(struct sim_idev *idev);
struct sim_hwpt *sim_pasid_hwpt(const struct sim_idev *idev, uint32_t pasid);
/* The RID may go to hwpt while PASIDs are attached (both must take PASIDs). */
int sim_pasid_rid_compat(const struct sim_idev *idev, const struct sim_hwpt *hwpt);

/* ---- eventq.c: fault queues and vEVENTQs ---- */
struct sim_fault;
struct sim_veventq;
int sim_cmd_fault_alloc(struct sim_ucmd *ucmd);
int sim_cmd_veventq_alloc(struct sim_ucmd *ucmd);
void sim_fault_get(struct sim_fault *fault);
void sim_fault_put(struct sim_fault *fault);
void sim_fault_destroy(struct sim_fault *fault);
void sim_veventq_destroy(struct sim_veventq *q);
/* A page request from idev at pasid (PASID_VALID in flags) to the domain's fault queue. */
void sim_fault_report(struct sim_idev *idev, uint32_t pasid, uint32_t flags, uint32_t grpid,
		      uint32_t perm, uint64_t addr);
/* A domain with a fault queue takes a device only where I/O page faults exist (-ENODEV). */
int sim_fault_attach_check(const struct sim_idev *idev, const struct sim_hwpt *hwpt);
/*
 * The device leaves hwpt at pasid (0: its RID): the faults it left pending in the domain's
 * queue are answered INVALID and go (iommufd_auto_response_faults()).
 */
void sim_fault_drop(const struct sim_hwpt *hwpt, const struct sim_idev *idev, uint32_t pasid);
/* A vEVENT of the vIOMMU's queue of that type: 0, -EOPNOTSUPP (no such queue), -ENOMEM. */
int sim_viommu_report(struct sim_viommu *viommu, uint32_t type, const void *data, uint32_t len);
uint32_t sim_veventq_type(const struct sim_veventq *q);
int sim_veventq_report(struct sim_veventq *q, const void *data, uint32_t len);

/* ---- viommu.c, vdevice.c, viommu_invalidate.c, hw_queue.c: vIOMMUs and theirs ---- */
struct sim_vdevice;
int sim_cmd_viommu_alloc(struct sim_ucmd *ucmd);
int sim_cmd_vdevice_alloc(struct sim_ucmd *ucmd);
int sim_cmd_hw_queue_alloc(struct sim_ucmd *ucmd);
void sim_viommu_destroy(struct sim_viommu *viommu);
void sim_viommu_get(struct sim_viommu *viommu);
void sim_viommu_put(struct sim_viommu *viommu);
/* The nest parent it was made on. */
struct sim_hwpt *sim_viommu_parent(struct sim_viommu *viommu);
/* Its vEVENTQ of that type (NULL if none); adding and dropping one. */
struct sim_veventq *sim_viommu_veventq(struct sim_viommu *viommu, uint32_t type);
int sim_viommu_add_veventq(struct sim_viommu *viommu, struct sim_veventq *q);
void sim_viommu_drop_veventq(struct sim_viommu *viommu, struct sim_veventq *q);
void sim_vdevice_destroy(struct sim_vdevice *vdev);
/* Its device went: it goes too, and its id stays taken. */
void sim_vdevice_tombstone(struct sim_vdevice *vdev);
void sim_hw_queue_destroy(struct sim_obj *obj);
/* The vDEVICE of idev on viommu, or NULL. */
struct sim_vdevice *sim_viommu_vdev_of(struct sim_viommu *viommu, const struct sim_idev *idev);
/* The IOMMU instance of the device it was made for. */
const struct sim_iommu *sim_viommu_iommu(const struct sim_viommu *viommu);
/*
 * Are a and b one physical IOMMU instance (iommufd_device_get_iommu_dev())? Every mock
 * device sits behind the kernel's one mock IOMMU, whatever the topology calls its mocks.
 */
bool sim_iommu_same_instance(const struct sim_iommu *a, const struct sim_iommu *b);
/* The mock's TRIGGER_VEVENT: the device's virtual id to its vIOMMU's queue. */
int sim_mock_trigger_vevent(struct sim_idev *idev);
/* The device is now on hwpt (NULL: blocked): what its driver keeps for its events. */
void sim_viommu_note_attach(struct sim_idev *idev, struct sim_hwpt *hwpt);
/* The vIOMMU's cache invalidation (HWPT_INVALIDATE on a vIOMMU id). */
int sim_viommu_invalidate(struct sim_viommu *viommu, const struct iofd_hwpt_invalidate *cmd,
			  uint32_t *done);
/* mmap() of /dev/iommu: the region at off of length len (ENXIO: none such). */
int sim_viommu_mmap(struct sim_ictx *ictx, uint64_t off, uint64_t len, int *map_fd,
		    uint64_t *map_off, void **owner);
void sim_viommu_munmap(struct sim_ictx *ictx, void *owner);

/* ---- test_cmd.c, test_access.c: IOMMU_TEST_CMD ---- */
struct sim_staccess;
int sim_cmd_test(struct sim_ucmd *ucmd);
/* The topology's selftest mock IOMMU: NULL if it has none (no IOMMU_TEST_CMD then). */
struct sim_iommu *sim_mock_iommu(struct iommufd_sim *sim);
void sim_stdev_destroy(struct sim_obj *obj);
int sim_test_access(struct sim_ucmd *ucmd);
/* An unmap of [start, last] in ioas: the accesses give up their pins there. */
void sim_access_notify_unmap(struct sim_ioas *ioas, uint64_t start, uint64_t last);
/* Does an access pin the IOVA iova of ioas? */
bool sim_access_pins(const struct sim_ioas *ioas, uint64_t iova);

/* ---- option.c, vfio_compat.c ---- */
int sim_cmd_option(struct sim_ucmd *ucmd);
int sim_cmd_ioas_change_process(struct sim_ucmd *ucmd);
int sim_cmd_vfio_ioas(struct sim_ucmd *ucmd);
/* The VFIO container ioctls on /dev/iommu: a value (>= 0) or -errno. */
int sim_vfio_compat_ioctl(struct sim_ictx *ictx, unsigned int proc, unsigned long request,
			  void *arg);

/* ---- fail_nth.c ---- */
/* The armed call (iommufd_sim_fail_nth()) is this one: true and *err; it fails before acting. */
bool sim_fail_nth_fires(struct iommufd_sim *sim, int *err);

/* ---- ictx.c ---- */
/*
 * A new object whose answer could not be written back goes again, id and all (the kernel's
 * iommufd_object_abort_and_destroy()); fd: the number of the file made for it, closed
 * first so that the file lets go of it (-1: none).
 */
void sim_obj_abort(struct sim_obj *obj, int fd);
/* The id stays taken, unusable, until the context goes (the kernel's tombstone). */
void sim_obj_tombstone(struct sim_obj *obj);

#endif
