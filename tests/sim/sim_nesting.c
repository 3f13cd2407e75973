// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator's nesting, rule by rule through its transport: per-kernel
 * commands (ENOTTY on 6.12), the mock's and SMMUv3's vIOMMUs and stage-1
 * domains, VT-d's from a parent, the references that make DESTROY answer
 * EBUSY, a vDEVICE its device takes along (its id stays taken), event queue
 * files (read, write, poll, close), PASID attachments, a context closed
 * with every kind of object alive, and user memory reached without
 * process_vm_readv() (as in the VM tier's guests).
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_test.h"
#include "uapi/selftest_abi.h"

static const char topo_fmt[] =
	"{ \"kernel\": \"%s\", \"iommus\": ["
	" { \"name\": \"mock\", \"driver\": \"iommufd-selftest\", \"dirty_tracking\": true },"
	" { \"name\": \"smmu0\", \"driver\": \"arm-smmu-v3\" },"
	" { \"name\": \"smmu1\", \"driver\": \"arm-smmu-v3\" },"
	" { \"name\": \"smmu2\", \"driver\": \"arm-smmu-v3\", \"nesting\": false } ],"
	" \"devices\": ["
	" { \"name\": \"m0\", \"iommu\": \"mock\" }, { \"name\": \"m1\", \"iommu\": \"mock\" },"
	" { \"name\": \"p0\", \"iommu\": \"mock\", \"pasid_bits\": 4 },"
	" { \"name\": \"s0\", \"iommu\": \"smmu0\", \"pasid_bits\": 8 },"
	" { \"name\": \"s1\", \"iommu\": \"smmu1\" }, { \"name\": \"s2\", \"iommu\": \"smmu2\" } ] }";

struct fx {
	struct iommufd_sim *sim;
	int ifd;
	int fd[6];
	uint32_t id[6];
	uint32_t ioas;
};
enum { M0, M1, P0, S0, S1, S2 };
static const char *const cdevs[6] = { "/dev/vfio/devices/vfio0", "/dev/vfio/devices/vfio1",
				      "/dev/vfio/devices/vfio2", "/dev/vfio/devices/vfio3",
				      "/dev/vfio/devices/vfio4", "/dev/vfio/devices/vfio5" };

static int io(struct fx *f, int fd, unsigned long req, void *arg)
{
	return ops()->ioctl(f->sim, fd, req, arg);
}

static void fx_open(struct fx *f, const char *kernel)
{
	char topo[sizeof(topo_fmt) + 8];
	struct iofd_ioas_alloc ia = { .size = sizeof(ia) };
	int i;

	snprintf(topo, sizeof(topo), topo_fmt, kernel);
	memset(f, 0, sizeof(*f));
	f->sim = new_sim(topo);
	f->ifd = t_open(f->sim, "/dev/iommu");
	assert_true(f->ifd >= 0);
	for (i = 0; i < 6; i++) {
		struct iofd_vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = f->ifd };

		f->fd[i] = t_open(f->sim, cdevs[i]);
		assert_true(f->fd[i] >= 0);
		assert_int_equal(io(f, f->fd[i], IOFD_VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
		f->id[i] = b.out_devid;
	}
	assert_int_equal(io(f, f->ifd, IOFD_IOAS_ALLOC, &ia), 0);
	f->ioas = ia.out_ioas_id;
}

static void fx_close(struct fx *f)
{
	int i;

	for (i = 0; i < 6; i++)
		ops()->close(f->sim, f->fd[i]);
	ops()->close(f->sim, f->ifd);
	assert_int_equal(iommufd_sim_live_objects(f->sim), 0);
	iommufd_sim_free(f->sim);
}

static int hwpt(struct fx *f, int d, uint32_t pt, uint32_t flags, uint32_t type, const void *data,
		uint32_t len, uint32_t fault, uint32_t *out)
{
	struct iofd_hwpt_alloc c = { .size = sizeof(c), .flags = flags, .dev_id = f->id[d],
				     .pt_id = pt, .data_type = type, .data_len = len,
				     .data_uptr = (uintptr_t)data, .fault_id = fault };
	int ret = io(f, f->ifd, IOFD_HWPT_ALLOC, &c);

	if (!ret && out)
		*out = c.out_hwpt_id;
	return ret;
}

static int viommu(struct fx *f, int d, uint32_t parent, uint32_t type, void *data, uint32_t len,
		  uint32_t *out)
{
	struct iofd_viommu_alloc c = { .size = sizeof(c), .type = type, .dev_id = f->id[d],
				       .hwpt_id = parent, .data_len = len,
				       .data_uptr = (uintptr_t)data };
	int ret = io(f, f->ifd, IOFD_VIOMMU_ALLOC, &c);

	if (!ret && out)
		*out = c.out_viommu_id;
	return ret;
}

static int vdevice(struct fx *f, uint32_t v, int d, uint64_t virt, uint32_t *out)
{
	struct iofd_vdevice_alloc c = { .size = sizeof(c), .viommu_id = v, .dev_id = f->id[d],
					.virt_id = virt };
	int ret = io(f, f->ifd, IOFD_VDEVICE_ALLOC, &c);

	if (!ret && out)
		*out = c.out_vdevice_id;
	return ret;
}

static int ndestroy(struct fx *f, uint32_t id)
{
	struct iofd_destroy c = { .size = sizeof(c), .id = id };

	return io(f, f->ifd, IOFD_DESTROY, &c);
}

static int nattach(struct fx *f, int d, uint32_t pt)
{
	struct iofd_vfio_device_attach_iommufd_pt c = { .argsz = sizeof(c), .pt_id = pt };

	return io(f, f->fd[d], IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &c);
}

static int attach_pasid(struct fx *f, int d, uint32_t pasid, uint32_t pt)
{
	struct iofd_vfio_device_attach_iommufd_pt_pasid c = {
		.argsz = sizeof(c), .flags = IOFD_VFIO_DEVICE_ATTACH_PASID, .pt_id = pt,
		.pasid = pasid };

	return io(f, f->fd[d], IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &c);
}

static int invalidate(struct fx *f, uint32_t id, uint32_t type, const void *e, uint32_t len,
		      uint32_t *n)
{
	struct iofd_hwpt_invalidate c = { .size = sizeof(c), .hwpt_id = id,
					  .data_uptr = (uintptr_t)e, .data_type = type,
					  .entry_len = len, .entry_num = *n };
	int ret = io(f, f->ifd, IOFD_HWPT_INVALIDATE, &c);

	*n = c.entry_num;
	return ret;
}

/* 6.12: nested domains from a parent, invalidation and faults; no vIOMMU, vDEVICE or vEVENTQ. */
static void test_commands_per_kernel(void **state)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 1 };
	struct iofd_veventq_alloc q = { .size = sizeof(q), .type = 1, .veventq_depth = 1 };
	struct iofd_fault_alloc fa = { .size = sizeof(fa) };
	uint32_t parent = 0, nested = 0, n = 0;
	struct fx f;

	fx_open(&f, "6.12");
	assert_int_equal(hwpt(&f, M0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent),
			 0);
	assert_int_equal(viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0, NULL), -ENOTTY);
	assert_int_equal(vdevice(&f, 1, M0, 1, NULL), -ENOTTY);
	assert_int_equal(io(&f, f.ifd, IOFD_VEVENTQ_ALLOC, &q), -ENOTTY);
	assert_int_equal(hwpt(&f, M0, parent, 0, IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb), 0,
			      &nested), 0);
	/* 6.12's mock data is 4 bytes: 8 is EINVAL there */
	assert_int_equal(hwpt(&f, M0, parent, 0, IOFD_HWPT_DATA_SELFTEST, &s1, 8, 0, NULL), -EINVAL);
	/* no PASID flag before 7.x */
	assert_int_equal(hwpt(&f, M0, parent, IOFD_HWPT_ALLOC_PASID, IOFD_HWPT_DATA_SELFTEST, &s1,
			      sizeof(s1.iotlb), 0, NULL), -EOPNOTSUPP);
	assert_int_equal(invalidate(&f, nested, IOFD_HWPT_INVALIDATE_DATA_SELFTEST, NULL, 0, &n), 0);
	assert_int_equal(io(&f, f.ifd, IOFD_FAULT_QUEUE_ALLOC, &fa), 0);
	assert_int_equal(attach_pasid(&f, M0, 1, nested), -EINVAL);
	ops()->close(f.sim, fa.out_fault_fd);
	fx_close(&f);
}

/* The references DESTROY respects: children hold parents, and a fault queue's file its queue. */
static void test_references(void **state)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 1 };
	struct iofd_fault_alloc fa = { .size = sizeof(fa) };
	uint32_t parent = 0, plain = 0, v = 0, vd = 0, nested = 0, nested2 = 0;
	struct fx f;

	fx_open(&f, "7.3");
	assert_int_equal(hwpt(&f, M0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent),
			 0);
	assert_int_equal(hwpt(&f, M0, f.ioas, 0, 0, NULL, 0, 0, &plain), 0);
	/* a vIOMMU: a nest parent of the kind asked for (a HWPT's id, not an IOAS's) */
	assert_int_equal(viommu(&f, M0, plain, IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0, NULL), -EINVAL);
	assert_int_equal(viommu(&f, M0, f.ioas, IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0, NULL), -ENOENT);
	assert_int_equal(viommu(&f, M0, parent, 0, NULL, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_ARM_SMMUV3, NULL, 0, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0, &v), 0);
	assert_int_equal(vdevice(&f, v, M0, 0x10, &vd), 0);
	assert_int_equal(hwpt(&f, M0, v, 0, IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb), 0, &nested),
			 0);
	assert_int_equal(io(&f, f.ifd, IOFD_FAULT_QUEUE_ALLOC, &fa), 0);
	assert_int_equal(hwpt(&f, M0, parent, IOFD_HWPT_FAULT_ID_VALID, IOFD_HWPT_DATA_SELFTEST,
			      &s1, sizeof(s1.iotlb), fa.out_fault_id, &nested2), 0);
	/* a fault id that is another object: ENOENT, and the domain made is gone again */
	assert_int_equal(hwpt(&f, M0, parent, IOFD_HWPT_FAULT_ID_VALID, IOFD_HWPT_DATA_SELFTEST,
			      &s1, sizeof(s1.iotlb), parent, NULL), -ENOENT);
	assert_int_equal(ndestroy(&f, parent), -EBUSY);
	assert_int_equal(ndestroy(&f, v), -EBUSY);
	assert_int_equal(ndestroy(&f, fa.out_fault_id), -EBUSY);
	assert_int_equal(nattach(&f, M0, nested), 0);
	assert_int_equal(ndestroy(&f, nested), -EBUSY);
	assert_int_equal(nattach(&f, M0, plain), 0);
	assert_int_equal(ndestroy(&f, nested), 0);
	assert_int_equal(ndestroy(&f, v), -EBUSY);
	assert_int_equal(ndestroy(&f, vd), 0);
	assert_int_equal(ndestroy(&f, v), 0);
	assert_int_equal(ndestroy(&f, nested2), 0);
	assert_int_equal(ndestroy(&f, fa.out_fault_id), -EBUSY);
	ops()->close(f.sim, fa.out_fault_fd);
	assert_int_equal(ndestroy(&f, fa.out_fault_id), 0);
	assert_int_equal(ndestroy(&f, parent), 0);
	fx_close(&f);
}

/* A vDEVICE left when its device goes is destroyed, and its id is not given out again. */
static void test_vdevice_tombstone(void **state)
{
	uint32_t parent = 0, v = 0, vd = 0, other = 0;
	long live;
	struct fx f;

	fx_open(&f, "7.3");
	assert_int_equal(hwpt(&f, M0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent),
			 0);
	assert_int_equal(viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0, &v), 0);
	assert_int_equal(vdevice(&f, v, M1, 7, &vd), 0);
	/* twice for one device, one id twice */
	assert_int_equal(vdevice(&f, v, M1, 8, NULL), -EEXIST);
	assert_int_equal(vdevice(&f, v, M0, 7, NULL), -EEXIST);
	live = iommufd_sim_live_objects(f.sim);
	ops()->close(f.sim, f.fd[M1]);
	f.fd[M1] = -1;
	/* the device and its vDEVICE are gone; the vIOMMU may go now */
	assert_int_equal(iommufd_sim_live_objects(f.sim), live - 2);
	assert_int_equal(ndestroy(&f, vd), -ENOENT);
	assert_int_equal(vdevice(&f, v, M0, 7, &other), 0);
	assert_int_not_equal(other, vd);
	assert_int_equal(ndestroy(&f, other), 0);
	assert_int_equal(ndestroy(&f, v), 0);
	assert_int_equal(ndestroy(&f, parent), 0);
	fx_close(&f);
}

/* SMMUv3: vIOMMU per instance, STEs checked, invalidation by command, events with the vSID. */
static void test_smmuv3(void **state)
{
	uint64_t ste_s1[2] = { 1 | 5 << 1, 1ull << 28 }, ste_bad[2] = { 1 | 6 << 1, 0 };
	uint64_t ste_abort[2] = { 1, 0 }, cmds[2][2] = { { 0x10, 0 }, { 0x5 | 0x33ull << 32, 0 } };
	struct iofd_veventq_alloc q = { .size = sizeof(q), .type = IOFD_VEVENTQ_TYPE_ARM_SMMUV3,
					.veventq_depth = 2 };
	struct iofd_vevent_arm_smmuv3 ev;
	uint32_t p0 = 0, p1 = 0, p2 = 0, v = 0, v1 = 0, nested = 0, n = 0;
	unsigned char buf[64];
	struct fx f;

	fx_open(&f, "7.3");
	assert_int_equal(hwpt(&f, S0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &p0), 0);
	assert_int_equal(hwpt(&f, S1, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &p1), 0);
	/* an SMMU without nesting has no nest parent, and so no vIOMMU */
	assert_int_equal(hwpt(&f, S2, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &p2),
			 -EOPNOTSUPP);
	assert_int_equal(viommu(&f, S2, p0, IOFD_VIOMMU_TYPE_ARM_SMMUV3, NULL, 0, NULL),
			 -EOPNOTSUPP);
	/* the parent of another instance */
	assert_int_equal(viommu(&f, S0, p1, IOFD_VIOMMU_TYPE_ARM_SMMUV3, NULL, 0, NULL), -EINVAL);
	assert_int_equal(viommu(&f, S0, p0, IOFD_VIOMMU_TYPE_ARM_SMMUV3, NULL, 0, &v), 0);
	assert_int_equal(viommu(&f, S1, p1, IOFD_VIOMMU_TYPE_ARM_SMMUV3, NULL, 0, &v1), 0);
	/* no nested domain from the parent itself; a device of another instance on the vIOMMU */
	assert_int_equal(hwpt(&f, S0, p0, 0, IOFD_HWPT_DATA_ARM_SMMUV3, ste_s1, 16, 0, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(hwpt(&f, S1, v, 0, IOFD_HWPT_DATA_ARM_SMMUV3, ste_s1, 16, 0, NULL), -EINVAL);
	assert_int_equal(vdevice(&f, v, S1, 1, NULL), -EINVAL);
	assert_int_equal(hwpt(&f, S0, v, 0, IOFD_HWPT_DATA_ARM_SMMUV3, ste_bad, 16, 0, NULL), -EIO);
	assert_int_equal(hwpt(&f, S0, v, IOFD_HWPT_ALLOC_PASID, IOFD_HWPT_DATA_ARM_SMMUV3, ste_s1,
			      16, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(hwpt(&f, S0, v, 0, IOFD_HWPT_DATA_VTD_S1, ste_s1, 16, 0, NULL), -EINVAL);
	assert_int_equal(hwpt(&f, S0, v, 0, IOFD_HWPT_DATA_ARM_SMMUV3, ste_s1, 16, 0, &nested), 0);
	/* a translating STE wants the vSID first */
	assert_int_equal(nattach(&f, S0, nested), -ENOENT);
	assert_int_equal(vdevice(&f, v, S0, 0x33, NULL), 0);
	assert_int_equal(nattach(&f, S0, nested), 0);
	/* the nested domain has no invalidation of its own: the vIOMMU's */
	n = 2;
	assert_int_equal(invalidate(&f, nested, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16,
				    &n), -EOPNOTSUPP);
	n = 2;
	assert_int_equal(invalidate(&f, v, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16, &n), 0);
	assert_int_equal(n, 2);
	/* a CFGI_CD of a vSID it does not know: EIO at the second entry */
	cmds[1][0] = 0x5 | 0x44ull << 32;
	n = 2;
	assert_int_equal(invalidate(&f, v, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16, &n),
			 -EIO);
	assert_int_equal(n, 1);
	/* fields an opcode may not set (7.3): an ASID on TLBI_NH_ALL, a LEAF on CFGI_CD_ALL */
	cmds[1][0] = 0x5 | 0x33ull << 32;
	cmds[0][0] = 0x10 | 1ull << 48;
	n = 2;
	assert_int_equal(invalidate(&f, v, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16, &n),
			 -EIO);
	assert_int_equal(n, 0);
	cmds[0][0] = 0x11 | 1ull << 48 | 2ull << 32; /* TLBI_NH_ASID: ASID and VMID */
	cmds[1][0] = 0x6 | 0x33ull << 32;
	cmds[1][1] = 1;
	n = 2;
	assert_int_equal(invalidate(&f, v, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16, &n),
			 -EIO);
	assert_int_equal(n, 1);
	cmds[1][1] = 0;
	n = 2;
	assert_int_equal(invalidate(&f, v, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16, &n), 0);
	n = 0;
	assert_int_equal(invalidate(&f, v, IOFD_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds, 16, &n),
			 -EINVAL);
	/* events: the record with the vSID in its StreamID */
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "s0", NULL, 0), -EOPNOTSUPP);
	q.viommu_id = v;
	assert_int_equal(io(&f, f.ifd, IOFD_VEVENTQ_ALLOC, &q), 0);
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "s0", NULL, 3), -EINVAL);
	memset(&ev, 0, sizeof(ev));
	ev.evt[0] = 0x12 | 0x99ull << 32;
	ev.evt[2] = 0xabc;
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "s0", &ev, sizeof(ev)), 0);
	assert_int_equal(ops()->read(f.sim, q.out_veventq_fd, buf, sizeof(buf)), 8 + 32);
	memcpy(&ev, buf + 8, sizeof(ev));
	assert_int_equal(ev.evt[0], 0x12 | 0x33ull << 32);
	assert_int_equal(ev.evt[2], 0xabc);
	/* an STE that aborts: the device's DMA faults */
	assert_int_equal(hwpt(&f, S0, v, 0, IOFD_HWPT_DATA_ARM_SMMUV3, ste_abort, 16, 0, &n), 0);
	assert_int_equal(nattach(&f, S0, n), 0);
	assert_int_equal(ndestroy(&f, nested), 0);
	ops()->close(f.sim, q.out_veventq_fd);
	fx_close(&f);
}

/* Event queue files: poll sees what waits, reads and writes as the kernel's, close frees. */
static void test_queue_files(void **state)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 1 };
	struct iofd_fault_alloc fa = { .size = sizeof(fa) };
	struct iofd_hwpt_pgfault pf[2];
	struct iofd_hwpt_page_response r = { 0 };
	uint32_t parent = 0, nested = 0;
	struct pollfd p;
	struct fx f;

	fx_open(&f, "7.3");
	assert_int_equal(io(&f, f.ifd, IOFD_FAULT_QUEUE_ALLOC, &fa), 0);
	fa.flags = 1;
	assert_int_equal(io(&f, f.ifd, IOFD_FAULT_QUEUE_ALLOC, &fa), -EOPNOTSUPP);
	assert_int_equal(hwpt(&f, M0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent),
			 0);
	assert_int_equal(hwpt(&f, M0, parent, IOFD_HWPT_FAULT_ID_VALID, IOFD_HWPT_DATA_SELFTEST,
			      &s1, sizeof(s1.iotlb), fa.out_fault_id, &nested), 0);
	assert_int_equal(nattach(&f, M0, nested), 0);
	p.fd = (int)fa.out_fault_fd;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(iommufd_sim_trigger_iopf(f.sim, "m0", 0, 1, 1, 0x1000000), 0);
	assert_int_equal(poll(&p, 1, 0), 1);
	/* reads in whole faults; the ioctl and a not-bound device's trigger are refused */
	assert_int_equal(ops()->read(f.sim, p.fd, pf, 10), -ESPIPE);
	assert_int_equal(ops()->ioctl(f.sim, p.fd, IOFD_IOAS_ALLOC, &fa), -ENOTTY);
	assert_int_equal(iommufd_sim_trigger_iopf(f.sim, "nope", 0, 1, 1, 0), -ENODEV);
	assert_int_equal(ops()->read(f.sim, p.fd, pf, sizeof(pf)), sizeof(pf[0]));
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(pf[0].cookie, 1);
	assert_int_equal(pf[0].dev_id, f.id[M0]);
	/* responses: whole ones, known cookies */
	r.cookie = 1;
	assert_int_equal(ops()->write(f.sim, p.fd, &r, 4), -ESPIPE);
	assert_int_equal(ops()->write(f.sim, p.fd, &r, sizeof(r)), sizeof(r));
	assert_int_equal(ops()->write(f.sim, p.fd, &r, sizeof(r)), -EINVAL);
	/* an answered cookie is free again: the lowest free one comes next (xa_alloc) */
	assert_int_equal(iommufd_sim_trigger_iopf(f.sim, "m0", 0, 2, 1, 0x1000000), 0);
	assert_int_equal(iommufd_sim_trigger_iopf(f.sim, "m0", 0, 3, 1, 0x1000000), 0);
	assert_int_equal(ops()->read(f.sim, p.fd, pf, sizeof(pf)), 2 * sizeof(pf[0]));
	assert_int_equal(pf[0].cookie, 1);
	assert_int_equal(pf[0].grpid, 2);
	assert_int_equal(pf[1].cookie, 2);
	/* the device leaves the domain: its requests are answered for it, their cookies gone */
	assert_int_equal(iommufd_sim_trigger_iopf(f.sim, "m0", 0, 4, 1, 0x1000000), 0);
	assert_int_equal(nattach(&f, M0, parent), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	r.cookie = 1;
	assert_int_equal(ops()->write(f.sim, p.fd, &r, sizeof(r)), -EINVAL);
	assert_int_equal(ops()->read(f.sim, p.fd, pf, sizeof(pf)), 0);
	/* /dev/iommu has no read */
	assert_int_equal(ops()->read(f.sim, f.ifd, pf, sizeof(pf)), -EINVAL);
	/* the file closed, its queue stays until destroyed; closing the context frees the rest */
	ops()->close(f.sim, p.fd);
	assert_int_equal(ops()->read(f.sim, p.fd, pf, sizeof(pf)), -EBADF);
	fx_close(&f);
}

/* PASIDs: compatible domains only, the device's width, replace in place, detach. */
static void test_pasids(void **state)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 1 };
	struct iofd_hw_info hi = { .size = sizeof(hi) };
	uint32_t pc = 0, pc2 = 0, plain = 0, parent = 0, nested = 0;
	struct fx f;

	fx_open(&f, "7.3");
	hi.dev_id = f.id[P0];
	assert_int_equal(io(&f, f.ifd, IOFD_GET_HW_INFO, &hi), 0);
	assert_int_equal(hi.out_max_pasid_log2, 4);
	assert_int_equal(hwpt(&f, P0, f.ioas, IOFD_HWPT_ALLOC_PASID, 0, NULL, 0, 0, &pc), 0);
	assert_int_equal(hwpt(&f, P0, f.ioas, IOFD_HWPT_ALLOC_PASID, 0, NULL, 0, 0, &pc2), 0);
	assert_int_equal(hwpt(&f, P0, f.ioas, 0, 0, NULL, 0, 0, &plain), 0);
	assert_int_equal(hwpt(&f, P0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent),
			 0);
	assert_int_equal(hwpt(&f, P0, parent, IOFD_HWPT_ALLOC_PASID, IOFD_HWPT_DATA_SELFTEST, &s1,
			      sizeof(s1.iotlb), 0, &nested), 0);
	assert_int_equal(attach_pasid(&f, P0, 3, plain), -EINVAL);
	assert_int_equal(attach_pasid(&f, P0, 16, pc), -EINVAL);
	assert_int_equal(attach_pasid(&f, P0, 0, pc), -EINVAL);
	assert_int_equal(attach_pasid(&f, P0, 3, f.ioas), -EINVAL);
	assert_int_equal(attach_pasid(&f, P0, 3, pc), 0);
	assert_int_equal(attach_pasid(&f, P0, 3, pc2), 0);
	assert_int_equal(ndestroy(&f, pc), 0);
	assert_int_equal(attach_pasid(&f, P0, 4, nested), 0);
	/* the device itself: only a domain that takes PASIDs beside */
	assert_int_equal(nattach(&f, P0, plain), -EINVAL);
	assert_int_equal(nattach(&f, P0, pc2), 0);
	/* SMMUv3 takes PASIDs on paging domains of a device that has them */
	{
		uint32_t sp;

		assert_int_equal(hwpt(&f, S0, f.ioas, IOFD_HWPT_ALLOC_PASID, 0, NULL, 0, 0, &sp), 0);
		assert_int_equal(attach_pasid(&f, S0, 2, sp), 0);
		assert_int_equal(attach_pasid(&f, S1, 2, sp), -EINVAL);
	}
	/* closing the device detaches its PASIDs; closing the context the rest */
	fx_close(&f);
}

/* A context closed with everything alive, files open: all goes, nothing leaks. */
static void test_close_all(void **state)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 1 };
	struct iofd_fault_alloc fa = { .size = sizeof(fa) };
	struct iofd_veventq_alloc q = { .size = sizeof(q), .type = IOFD_VEVENTQ_TYPE_SELFTEST,
					.veventq_depth = 4 };
	uint32_t parent = 0, v = 0, nested = 0;
	struct fx f;

	fx_open(&f, "7.3");
	assert_int_equal(hwpt(&f, M0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent),
			 0);
	assert_int_equal(viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0, &v), 0);
	assert_int_equal(vdevice(&f, v, M0, 3, NULL), 0);
	assert_int_equal(io(&f, f.ifd, IOFD_FAULT_QUEUE_ALLOC, &fa), 0);
	assert_int_equal(hwpt(&f, M0, v, IOFD_HWPT_FAULT_ID_VALID, IOFD_HWPT_DATA_SELFTEST, &s1,
			      sizeof(s1.iotlb), fa.out_fault_id, &nested), 0);
	q.viommu_id = v;
	assert_int_equal(io(&f, f.ifd, IOFD_VEVENTQ_ALLOC, &q), 0);
	assert_int_equal(nattach(&f, M0, nested), 0);
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "m0", NULL, 0), 0);
	assert_int_equal(iommufd_sim_trigger_iopf(f.sim, "m0", 0, 1, 1, 0x1000000), 0);
	/* the queues' files keep the context and its objects until they close */
	ops()->close(f.sim, f.fd[M0]);
	f.fd[M0] = -1;
	ops()->close(f.sim, fa.out_fault_fd);
	ops()->close(f.sim, f.ifd);
	f.ifd = -1;
	assert_true(iommufd_sim_live_objects(f.sim) > 0);
	ops()->close(f.sim, q.out_veventq_fd);
	fx_close(&f);
}

/*
 * The mock keeps the vIOMMU and virtual id of the device's attach for its events: a vDEVICE
 * destroyed since still names the device (7.3, measured by the differential scenarios), a
 * paging domain clears them, the same vIOMMU again keeps the old id.
 */
static void test_vevent_kept_at_attach(void **state)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 1 };
	struct iofd_veventq_alloc q = { .size = sizeof(q), .type = IOFD_VEVENTQ_TYPE_SELFTEST,
					.veventq_depth = 8 };
	struct { struct iofd_vevent_header h; struct iofd_viommu_event_selftest e; } ev[4];
	uint32_t parent = 0, v = 0, vd = 0, n1 = 0, n2 = 0;
	struct fx f;

	fx_open(&f, "7.3");
	assert_int_equal(hwpt(&f, M0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent),
			 0);
	assert_int_equal(viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_SELFTEST, NULL, 0, &v), 0);
	assert_int_equal(vdevice(&f, v, M0, 3, &vd), 0);
	assert_int_equal(hwpt(&f, M0, v, 0, IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb), 0, &n1),
			 0);
	assert_int_equal(hwpt(&f, M0, v, 0, IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb), 0, &n2),
			 0);
	q.viommu_id = v;
	assert_int_equal(io(&f, f.ifd, IOFD_VEVENTQ_ALLOC, &q), 0);
	assert_int_equal(nattach(&f, M0, n1), 0);
	assert_int_equal(ndestroy(&f, vd), 0);
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "m0", NULL, 0), 0);
	/* a new vDEVICE, the same vIOMMU: the id of the first attach stays */
	assert_int_equal(vdevice(&f, v, M0, 5, &vd), 0);
	assert_int_equal(nattach(&f, M0, n2), 0);
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "m0", NULL, 0), 0);
	assert_int_equal(ops()->read(f.sim, q.out_veventq_fd, ev, sizeof(ev)), 2 * sizeof(ev[0]));
	assert_int_equal(ev[0].e.virt_id, 3);
	assert_int_equal(ev[1].e.virt_id, 3);
	/* through a paging domain and back: the new id */
	assert_int_equal(nattach(&f, M0, parent), 0);
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "m0", NULL, 0), -ENOENT);
	assert_int_equal(nattach(&f, M0, n1), 0);
	assert_int_equal(iommufd_sim_trigger_vevent(f.sim, "m0", NULL, 0), 0);
	assert_int_equal(ops()->read(f.sim, q.out_veventq_fd, ev, sizeof(ev)), sizeof(ev[0]));
	assert_int_equal(ev[0].e.virt_id, 5);
	assert_int_equal(nattach(&f, M0, parent), 0);
	ops()->close(f.sim, q.out_veventq_fd);
	fx_close(&f);
}

/* An IOMMU without I/O page faults (a kernel without CONFIG_IOMMU_IOPF): ENODEV to attach. */
static void test_no_iopf(void **state)
{
	struct iofd_hwpt_selftest s1 = { .iotlb = 1 };
	struct iofd_vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	struct iofd_ioas_alloc ia = { .size = sizeof(ia) };
	struct iofd_fault_alloc fa = { .size = sizeof(fa) };
	struct iofd_hwpt_alloc h = { .size = sizeof(h), .flags = IOFD_HWPT_ALLOC_NEST_PARENT };
	struct iofd_vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommufd_sim *sim;
	int ifd, fd;

	sim = new_sim("{ \"kernel\": \"6.12\", \"iommus\": [ { \"name\": \"mock\","
		      " \"driver\": \"iommufd-selftest\", \"iopf\": false } ],"
		      " \"devices\": [ { \"name\": \"m0\", \"iommu\": \"mock\" } ] }");
	ifd = t_open(sim, "/dev/iommu");
	fd = t_open(sim, "/dev/vfio/devices/vfio0");
	b.iommufd = ifd;
	assert_int_equal(ops()->ioctl(sim, fd, IOFD_VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	assert_int_equal(ops()->ioctl(sim, ifd, IOFD_IOAS_ALLOC, &ia), 0);
	assert_int_equal(ops()->ioctl(sim, ifd, IOFD_FAULT_QUEUE_ALLOC, &fa), 0);
	h.dev_id = b.out_devid;
	h.pt_id = ia.out_ioas_id;
	assert_int_equal(ops()->ioctl(sim, ifd, IOFD_HWPT_ALLOC, &h), 0);
	h.pt_id = h.out_hwpt_id;
	h.flags = IOFD_HWPT_FAULT_ID_VALID;
	h.fault_id = fa.out_fault_id;
	h.data_type = IOFD_HWPT_DATA_SELFTEST;
	h.data_len = sizeof(s1.iotlb);
	h.data_uptr = (uintptr_t)&s1;
	assert_int_equal(ops()->ioctl(sim, ifd, IOFD_HWPT_ALLOC, &h), 0);
	at.pt_id = h.out_hwpt_id;
	assert_int_equal(ops()->ioctl(sim, fd, IOFD_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), -ENODEV);
	ops()->close(sim, fa.out_fault_fd);
	ops()->close(sim, fd);
	ops()->close(sim, ifd);
	assert_int_equal(iommufd_sim_live_objects(sim), 0);
	iommufd_sim_free(sim);
}

/* The topology's PASID width. */
static void test_topology_pasid_bits(void **state)
{
	struct iommufd_sim *sim = NULL;

	assert_int_equal(iommufd_sim_new("{ \"iommus\": [ { \"name\": \"i\", \"driver\": \"x\" } ],"
					 " \"devices\": [ { \"name\": \"d\", \"iommu\": \"i\","
					 " \"pasid_bits\": 21 } ] }", &sim), -EINVAL);
	assert_non_null(strstr(iommufd_sim_last_error(), "pasid_bits"));
	assert_int_equal(iommufd_sim_new("{ \"devices\": [ { \"name\": \"d\", \"emulated\": true,"
					 " \"pasid_bits\": 2 } ] }", &sim), -EINVAL);
	assert_int_equal(iommufd_sim_new("{ \"devices\": [ { \"name\": \"d\", \"emulated\": true,"
					 " \"pasid_bits\": \"2\" } ] }", &sim), -EINVAL);
}

/* In a child without process_vm_readv/writev (ENOSYS, as CONFIG_CROSS_MEMORY_ATTACH=n): 0 ok. */
static int no_cma_child(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_writev, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	struct iofd_viommu_selftest vdata = { .in_data = 0x1234 };
	struct iofd_hwpt_selftest s1 = { .iotlb = 7 };
	uint32_t parent, nested, v, val;
	struct iovec iov = { &val, 4 }, rem = { &s1, 4 };
	struct fx f;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return 2;
	if (process_vm_readv(getpid(), &iov, 1, &rem, 1, 0) != -1 || errno != ENOSYS)
		return 3;
	fx_open(&f, "7.3");
	if (hwpt(&f, M0, f.ioas, IOFD_HWPT_ALLOC_NEST_PARENT, 0, NULL, 0, 0, &parent))
		return 4;
	/* the driver's data read from the caller, and a bad pointer still EFAULT */
	if (hwpt(&f, M0, parent, 0, IOFD_HWPT_DATA_SELFTEST, &s1, sizeof(s1.iotlb), 0, &nested) ||
	    hwpt(&f, M0, parent, 0, IOFD_HWPT_DATA_SELFTEST, (void *)8, 4, 0, NULL) != -EFAULT)
		return 5;
	if (nattach(&f, M0, nested) || iommufd_sim_nested_iotlb(f.sim, "m0", 0, &val) || val != 7)
		return 6;
	/* and the driver's answer written back */
	if (viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_SELFTEST, &vdata, sizeof(vdata), &v) ||
	    vdata.out_data != 0x1234)
		return 7;
	if (viommu(&f, M0, parent, IOFD_VIOMMU_TYPE_SELFTEST, (void *)&topo_fmt, sizeof(vdata),
		   NULL) != -EFAULT)
		return 8;
	assert_int_equal(nattach(&f, M0, parent), 0);
	ndestroy(&f, nested);
	ndestroy(&f, v);
	ndestroy(&f, parent);
	fx_close(&f);
	return 0;
}

/* The kernel's copies from and to user memory, where process_vm_readv() is not available. */
static void test_no_cross_memory_attach(void **state)
{
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(no_cma_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_per_kernel),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_vdevice_tombstone),
		cmocka_unit_test(test_smmuv3),
		cmocka_unit_test(test_queue_files),
		cmocka_unit_test(test_pasids),
		cmocka_unit_test(test_close_all),
		cmocka_unit_test(test_vevent_kept_at_attach),
		cmocka_unit_test(test_no_iopf),
		cmocka_unit_test(test_topology_pasid_bits),
		cmocka_unit_test(test_no_cross_memory_attach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
