/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scenario interpreter's state, shared by the object verbs (scenario.c)
 * and the container verbs (scenario_container.c).
 */
#ifndef VM_SCENARIO_INTERNAL_H
#define VM_SCENARIO_INTERNAL_H

#include "scenario.h"

#define SCN_BUF_SIZE (16ull << 20)
#define SCN_MAX_OBJS 64
#define SCN_MAX_DEVS 16
#define SCN_MAX_CONTAINERS 4
#define SCN_MOCK_KIND_DEVS 4
/* A container's domains get names C.d1, C.d2...: at most this many live ones. */
#define SCN_MAX_DOMAINS 8
#define SCN_MAX_QUEUES 8

struct scn_obj {
	char name[32];
	uint32_t id;
	bool hwpt;
};

struct scn_dev {
	char name[32];
	char simname[32];
	struct iommufd_device *dev;
};

/* A container; its IOAS is the object named like it, its domains C.dN. */
struct scn_cont {
	char name[16];
	struct iommufd_container *c;
	unsigned next_domain; /* the N of the next domain's name */
	bool tracking;        /* the script switched tracking on (and not off) */
};

/* An event queue the script made (scenario_nested.c): its object is named like it. */
struct scn_queue {
	char name[32];
	int fd;         /* -1 once closed */
	bool fault;     /* a fault queue; else a vEVENTQ */
	uint32_t next_seq;
};

struct scn_state {
	struct scn_backend *be;
	struct scn_text *out;
	uint8_t *buf;
	struct scn_obj objs[SCN_MAX_OBJS];
	unsigned nobjs;
	struct scn_dev devs[SCN_MAX_DEVS];
	unsigned ndevs;
	bool mock_used[2][SCN_MOCK_KIND_DEVS];
	struct scn_cont conts[SCN_MAX_CONTAINERS];
	unsigned nconts;
	struct scn_queue queues[SCN_MAX_QUEUES];
	unsigned nqueues;
};

struct scn_obj *scn_find_obj(struct scn_state *st, const char *name);
void scn_prefault(struct scn_state *st, uint64_t off, uint64_t len);
void scn_drop_obj(struct scn_state *st, struct scn_obj *o);
struct scn_dev *scn_find_dev(struct scn_state *st, const char *name);
bool scn_is_name(const char *s);
int scn_parse_u64(const char *s, uint64_t *v);
int scn_obj_id(struct scn_state *st, const char *s, uint32_t *id);
int scn_name_obj(struct scn_state *st, const char *name, uint32_t id, bool hwpt);
void scn_print_devices(struct scn_state *st);
int scn_no_device(struct scn_state *st);

/*
 * Container verbs (scenario_container.c): 1 when tok[0] is not one of them,
 * else 0 or -EINVAL for a line it does not understand.
 */
int scn_container_step(struct scn_state *st, char **tok, int ntok);
/* After every line: name new domains, forget the names of gone ones. */
void scn_container_refresh(struct scn_state *st);
/* Is the device in a domain of a container that is tracking? (for scn_stats) */
bool scn_container_dev_tracked(struct scn_state *st, struct scn_dev *d);
/* At the end of a script: free every container still there. */
void scn_container_free_all(struct scn_state *st);

/*
 * Nesting verbs (scenario_nested.c): 1 when tok[0] is not one of them, else 0
 * or -EINVAL. The container ones are called by scn_container_step.
 */
int scn_nested_step(struct scn_state *st, char **tok, int ntok);
int scn_nested_cont_step(struct scn_state *st, struct iommufd_container *c, char **tok,
			 int ntok);
/* At the end of a script: close the queues' files still open. */
void scn_nested_close_all(struct scn_state *st);

#endif
