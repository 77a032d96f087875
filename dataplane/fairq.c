// SPDX-License-Identifier: MIT
/*
 * fairq.c - deficit round robin over the senders of a NAT engine's frames
 *
 * Senders with frames queued form "the round", a doubly linked ring of
 * indices into a fixed array; the round's head is served next. A sender
 * leaves the round (and frees its slot) when its last frame is served or
 * dropped, and comes back with a fresh quantum, so a sender of a frame now
 * and then (a new connection's SYN) is served within one round. Lookups
 * walk the round: it holds only the senders with frames queued, a handful
 * unless hundreds of members send at once.
 */
#include "dataplane/fairq.h"

#include <stdlib.h>
#include <string.h>

#define NONE (-1)
#define ETH_ALEN 6
#define ETH_HLEN 14

struct sender {
	uint8_t mac[ETH_ALEN];
	int prev, next;			/* in the round, or next free slot */
	struct fairq_frame *head, *tail;
	size_t bytes;
	long deficit;
};

struct fairq {
	struct sender s[FAIRQ_SENDERS];
	int round;			/* served next; NONE: queue empty */
	int free;			/* first free slot */
	unsigned int senders;
	size_t max_frames, max_bytes;
	size_t frames, bytes;
	uint64_t dropped;
	fairq_release_fn *release;
	void *opaque;
};

static void release_free(struct fairq_frame *f, void *opaque)
{
	(void)opaque;
	free(f);
}

struct fairq *fairq_new(size_t max_frames, size_t max_bytes,
			fairq_release_fn *release, void *opaque)
{
	struct fairq *q = calloc(1, sizeof(*q));
	int i;

	if (!q)
		return NULL;
	q->round = NONE;
	for (i = 0; i < FAIRQ_SENDERS; i++)
		q->s[i].next = i + 1 < FAIRQ_SENDERS ? i + 1 : NONE;
	q->free = 0;
	q->max_frames = max_frames;
	q->max_bytes = max_bytes;
	q->release = release ? release : release_free;
	q->opaque = opaque;
	return q;
}

static void drop(struct fairq *q, struct fairq_frame *f)
{
	q->release(f, q->opaque);
	q->dropped++;
}

/* ---- the round ----------------------------------------------------------- */

/* Add slot @i at the round's tail: served after everyone queued now */
static void round_append(struct fairq *q, int i)
{
	struct sender *s = &q->s[i];

	if (q->round == NONE) {
		s->prev = s->next = i;
		q->round = i;
		return;
	}
	s->next = q->round;
	s->prev = q->s[q->round].prev;
	q->s[s->prev].next = i;
	q->s[q->round].prev = i;
}

static void round_unlink(struct fairq *q, int i)
{
	struct sender *s = &q->s[i];

	if (s->next == i) {
		q->round = NONE;
		return;
	}
	q->s[s->prev].next = s->next;
	q->s[s->next].prev = s->prev;
	if (q->round == i)
		q->round = s->next;
}

static int sender_find(const struct fairq *q, const uint8_t *mac)
{
	int i = q->round;

	if (i == NONE)
		return NONE;
	do {
		if (!memcmp(q->s[i].mac, mac, ETH_ALEN))
			return i;
		i = q->s[i].next;
	} while (i != q->round);
	return NONE;
}

static int sender_new(struct fairq *q, const uint8_t *mac)
{
	int i = q->free;
	struct sender *s;

	if (i == NONE)
		return NONE;
	s = &q->s[i];
	q->free = s->next;
	memcpy(s->mac, mac, ETH_ALEN);
	s->head = s->tail = NULL;
	s->bytes = 0;
	s->deficit = FAIRQ_QUANTUM;
	round_append(q, i);
	q->senders++;
	return i;
}

static void sender_end(struct fairq *q, int i)
{
	round_unlink(q, i);
	q->s[i].next = q->free;
	q->free = i;
	q->senders--;
}

/* Take the oldest frame of sender @i; it leaves the round when emptied */
static struct fairq_frame *sender_take(struct fairq *q, int i)
{
	struct sender *s = &q->s[i];
	struct fairq_frame *f = s->head;

	s->head = f->next;
	if (!s->head)
		s->tail = NULL;
	f->next = NULL;
	s->bytes -= f->len;
	q->frames--;
	q->bytes -= f->len;
	if (!s->head)
		sender_end(q, i);
	return f;
}

static int fattest(const struct fairq *q)
{
	int i = q->round, best = q->round;

	do {
		if (q->s[i].bytes > q->s[best].bytes)
			best = i;
		i = q->s[i].next;
	} while (i != q->round);
	return best;
}

/* ---- the queue ----------------------------------------------------------- */

unsigned int fairq_push(struct fairq *q, struct fairq_frame *f)
{
	unsigned int dropped = 0;
	struct sender *s;
	int i;

	if (f->len < ETH_HLEN) {	/* no source address to file it under */
		drop(q, f);
		return 1;
	}
	i = sender_find(q, f->data + ETH_ALEN);
	if (i == NONE && (i = sender_new(q, f->data + ETH_ALEN)) == NONE) {
		drop(q, f);		/* FAIRQ_SENDERS are queued already */
		return 1;
	}
	s = &q->s[i];
	f->next = NULL;
	if (s->tail)
		s->tail->next = f;
	else
		s->head = f;
	s->tail = f;
	s->bytes += f->len;
	q->frames++;
	q->bytes += f->len;
	/* over a bound: the fattest sender loses its oldest frame */
	while (q->frames > q->max_frames || q->bytes > q->max_bytes) {
		drop(q, sender_take(q, fattest(q)));
		dropped++;
	}
	return dropped;
}

struct fairq_frame *fairq_pop(struct fairq *q)
{
	int i;

	while ((i = q->round) != NONE) {
		struct sender *s = &q->s[i];

		if (s->deficit < (long)s->head->len) {
			/* its turn is used: next one's; its next turn is a
			 * quantum bigger (a big frame waits a few rounds) */
			s->deficit += FAIRQ_QUANTUM;
			q->round = s->next;
			continue;
		}
		s->deficit -= (long)s->head->len;
		return sender_take(q, i);
	}
	return NULL;
}

bool fairq_empty(const struct fairq *q)
{
	return q->round == NONE;
}

void fairq_stats(const struct fairq *q, struct fairq_stats *out)
{
	out->frames = q->frames;
	out->bytes = q->bytes;
	out->senders = q->senders;
	out->dropped = q->dropped;
}

void fairq_free(struct fairq *q)
{
	if (!q)
		return;
	while (!fairq_empty(q))
		q->release(sender_take(q, q->round), q->opaque);
	free(q);
}
