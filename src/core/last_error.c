// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-thread last errors. Each message (a slot) is on two lists: its thread's,
 * which only that thread walks and changes, so that finding one's message
 * takes no lock; and its context's, under slots_lock, so that closing the
 * context can mark every thread's slot on it dead (ctx NULL). A dead slot is
 * freed by its thread, the next time it makes a slot; all of a thread's slots
 * go when it ends (a thread-specific key's destructor).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/last_error.h"

struct iofd_err_slot {
	struct iommufd_ctx *ctx;                     /* NULL once closed; atomic */
	struct iofd_err_slot *thread_next;           /* its thread's list */
	struct iofd_err_slot *ctx_next, **ctx_pprev; /* its context's list (slots_lock) */
	char msg[IOFD_ERRMSG_MAX];
};

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key; /* value: the thread's first slot */
static int key_err;
static long slots_live;

static void thread_exit(void *first);

static void make_key(void)
{
	key_err = pthread_key_create(&thread_key, thread_exit);
}

static struct iofd_err_slot *thread_slots(void)
{
	pthread_once(&key_once, make_key);
	return key_err ? NULL : pthread_getspecific(thread_key);
}

static void ctx_unlink(struct iofd_err_slot *s)
{
	if (s->ctx_next)
		s->ctx_next->ctx_pprev = s->ctx_pprev;
	*s->ctx_pprev = s->ctx_next;
	s->ctx_next = NULL;
	s->ctx_pprev = NULL;
}

static void slot_free(struct iofd_err_slot *s)
{
	free(s);
	__atomic_sub_fetch(&slots_live, 1, __ATOMIC_RELAXED);
}

/* The calling thread's slot on ctx, or NULL. No lock: only this thread changes its list. */
static struct iofd_err_slot *find_slot(struct iommufd_ctx *ctx)
{
	struct iofd_err_slot *s;

	for (s = thread_slots(); s; s = s->thread_next)
		if (__atomic_load_n(&s->ctx, __ATOMIC_ACQUIRE) == ctx)
			return s;
	return NULL;
}

/* Free the calling thread's dead slots; returns its first slot left. slots_lock held. */
static struct iofd_err_slot *prune_dead(void)
{
	struct iofd_err_slot *first = thread_slots(), **link = &first, *s;

	while ((s = *link)) {
		if (s->ctx) {
			link = &s->thread_next;
			continue;
		}
		*link = s->thread_next;
		slot_free(s);
	}
	return first;
}

static struct iofd_err_slot *new_slot(struct iommufd_ctx *ctx)
{
	struct iofd_err_slot *s, *first;

	if (key_err)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	__atomic_add_fetch(&slots_live, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&slots_lock);
	first = prune_dead();
	s->ctx = ctx;
	s->ctx_next = ctx->err_slots;
	if (s->ctx_next)
		s->ctx_next->ctx_pprev = &s->ctx_next;
	s->ctx_pprev = &ctx->err_slots;
	ctx->err_slots = s;
	pthread_mutex_unlock(&slots_lock);
	s->thread_next = first;
	if (pthread_setspecific(thread_key, s)) {
		pthread_mutex_lock(&slots_lock);
		ctx_unlink(s);
		pthread_mutex_unlock(&slots_lock);
		slot_free(s);
		return NULL;
	}
	return s;
}

void iofd_err_store(struct iommufd_ctx *ctx, const char *msg)
{
	struct iofd_err_slot *s = find_slot(ctx);

	if (!s)
		s = new_slot(ctx);
	if (s)
		snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

const char *iommufd_last_error(struct iommufd_ctx *ctx)
{
	struct iofd_err_slot *s;

	if (!ctx)
		return "no context";
	/* The slot lives until the context closes or the thread ends; only this thread writes it. */
	s = find_slot(ctx);
	return s ? s->msg : "";
}

void iofd_err_forget_ctx(struct iommufd_ctx *ctx)
{
	struct iofd_err_slot *s, *first;

	pthread_mutex_lock(&slots_lock);
	while ((s = ctx->err_slots)) {
		ctx_unlink(s);
		/* After this its thread owns it alone (and frees it when it sees NULL). */
		__atomic_store_n(&s->ctx, NULL, __ATOMIC_RELEASE);
	}
	/* The closing thread's own slot on it can go at once. */
	first = key_err ? NULL : prune_dead();
	pthread_mutex_unlock(&slots_lock);
	if (!key_err)
		pthread_setspecific(thread_key, first);
}

/* The thread ends: its slots go, unlinked from the contexts still open. */
static void thread_exit(void *first)
{
	struct iofd_err_slot *s, *next;

	pthread_mutex_lock(&slots_lock);
	for (s = first; s; s = next) {
		next = s->thread_next;
		if (s->ctx)
			ctx_unlink(s);
		slot_free(s);
	}
	pthread_mutex_unlock(&slots_lock);
}

long iofd_err_slots_live(void)
{
	return __atomic_load_n(&slots_live, __ATOMIC_RELAXED);
}
