// SPDX-License-Identifier: MIT
/* test_fairq.c - the NAT engine's fair queue: who is served next, what is
 * dropped when it is full, and that its bounds hold */
#include <stdlib.h>

#include "common/bytes.h"
#include "dataplane/fairq.h"
#include "tests/unit/unit.h"

/* A frame of @len bytes from the sender whose MAC ends in @who; its
 * payload's first byte numbers it */
static struct fairq_frame *frame(uint8_t who, size_t len, uint8_t seq)
{
	struct fairq_frame *f = malloc(sizeof(*f) + len);

	if (!f)
		abort();
	memset(f->data, 0, len);
	f->data[6] = 0x52;
	f->data[11] = who;
	if (len > 14)
		f->data[14] = seq;
	f->len = len;
	return f;
}

/* The release callback: count, then free */
static void released(struct fairq_frame *f, void *opaque)
{
	(*(int *)opaque)++;
	free(f);
}

static int who(const struct fairq_frame *f)
{
	return f->data[11];
}

/* Pop one frame; its sender, or -1 when empty */
static int pop_who(struct fairq *q, uint8_t *seq)
{
	struct fairq_frame *f = fairq_pop(q);
	int w;

	if (!f)
		return -1;
	w = who(f);
	if (seq)
		*seq = f->len > 14 ? f->data[14] : 0;
	free(f);
	return w;
}

static void test_order(void)
{
	struct fairq *q = fairq_new(64, 1 << 20, NULL, NULL);
	uint8_t seq = 0;
	int i, ok = 1, b_at = -1;

	CHECK(q && fairq_empty(q) && !fairq_pop(q), "order: a new queue is empty");
	for (i = 0; i < 3; i++)
		fairq_push(q, frame(1, 100, (uint8_t)i));
	for (i = 0; i < 3; i++)
		ok &= pop_who(q, &seq) == 1 && seq == i;
	CHECK(ok && fairq_empty(q), "order: one sender's frames leave in order");

	/* A floods; B sends one frame after A's forty */
	for (i = 0; i < 40; i++)
		fairq_push(q, frame(0xa, 1400, (uint8_t)i));
	fairq_push(q, frame(0xb, 60, 0));
	for (i = 0; i < 41; i++)
		if (pop_who(q, NULL) == 0xb)
			b_at = i;
	CHECK(b_at >= 0 && b_at <= 2,
	      "order: a sender's one frame is served within one quantum of "
	      "the flooder's, not after its backlog");

	/* two floods: they alternate by bytes */
	for (i = 0; i < 20; i++) {
		fairq_push(q, frame(1, 1500, 0));
		fairq_push(q, frame(2, 1500, 0));
	}
	ok = 1;
	for (i = 0; i < 20; i++) {
		int a = pop_who(q, NULL), b = pop_who(q, NULL);

		ok &= a != b && (a == 1 || a == 2) && (b == 1 || b == 2);
	}
	CHECK(ok && fairq_empty(q), "order: two busy senders take turns");

	/* a sender of small frames gets as many bytes, so more frames */
	for (i = 0; i < 30; i++) {
		fairq_push(q, frame(1, 1500, 0));
		fairq_push(q, frame(2, 100, 0));
	}
	{
		int n1 = 0, n2 = 0;

		for (i = 0; i < 20; i++)
			pop_who(q, NULL) == 1 ? n1++ : n2++;
		CHECK(n2 > n1 * 5, "order: turns are counted in bytes, not frames "
				   "(%d big, %d small in the first 20)", n1, n2);
	}
	fairq_free(q);
}

static void test_bounds(void)
{
	struct fairq *q = fairq_new(8, 1 << 20, NULL, NULL);
	struct fairq_stats st;
	unsigned int dropped = 0;
	uint8_t seq;
	int i, ok = 1, n_released = 0;

	for (i = 0; i < 20; i++)
		dropped += fairq_push(q, frame(0xa, 1000, (uint8_t)i));
	fairq_stats(q, &st);
	CHECK(st.frames == 8 && st.bytes == 8000 && dropped == 12 &&
		      st.dropped == 12 && st.senders == 1,
	      "bounds: past max_frames the queue drops (8 queued, 12 dropped)");
	CHECK(fairq_push(q, frame(0xb, 60, 0)) == 1,
	      "bounds: a newcomer to a full queue makes room");
	fairq_stats(q, &st);
	CHECK(st.frames == 8 && st.senders == 2,
	      "bounds: ... by a drop from the flooder, not of its own frame");
	ok = pop_who(q, &seq) == 0xa && seq == 13;
	CHECK(ok, "bounds: the flooder lost its oldest frames, kept its newest");
	ok = 0;
	for (i = 0; i < 8; i++)
		ok += pop_who(q, NULL) == 0xb;
	CHECK(ok == 1 && fairq_empty(q), "bounds: the newcomer's frame is served");
	fairq_free(q);

	q = fairq_new(100, 10000, NULL, NULL);
	for (i = 0; i < 30; i++)
		fairq_push(q, frame(0xa, 1000, 0));
	fairq_push(q, frame(0xb, 3000, 0));
	fairq_stats(q, &st);
	CHECK(st.bytes <= 10000 && st.senders == 2,
	      "bounds: past max_bytes the fattest sender is cut (%zu bytes)",
	      st.bytes);
	CHECK(fairq_push(q, frame(0xc, 20000, 0)) >= 1 &&
		      (fairq_stats(q, &st), st.bytes <= 10000),
	      "bounds: a frame bigger than the queue is dropped, the queue "
	      "stays within its bytes");
	fairq_free(q);

	q = fairq_new(1000, 1 << 20, released, &n_released);
	CHECK(fairq_push(q, frame(0xa, 13, 0)) == 1 && fairq_empty(q),
	      "bounds: a frame too short to have a source address is dropped");
	for (i = 0; i < FAIRQ_SENDERS; i++) {
		struct fairq_frame *f = frame(0, 60, 0);

		be16_put(f->data + 10, (uint16_t)i);	/* its MAC ends in i */
		fairq_push(q, f);
	}
	fairq_stats(q, &st);
	CHECK(st.senders == FAIRQ_SENDERS && st.frames == FAIRQ_SENDERS,
	      "bounds: %d senders queue at once", FAIRQ_SENDERS);
	{
		struct fairq_frame *f = frame(0, 60, 0);

		f->data[10] = 0xff;
		CHECK(fairq_push(q, f) == 1 && (fairq_stats(q, &st),
						 st.frames == FAIRQ_SENDERS),
		      "bounds: one sender more is dropped");
	}
	CHECK(fairq_push(q, frame(7, 60, 0)) == 0,
	      "bounds: a queued sender still queues");
	for (i = 0; i <= FAIRQ_SENDERS; i++)
		free(fairq_pop(q));
	fairq_stats(q, &st);
	CHECK(fairq_empty(q) && st.senders == 0 && st.frames == 0 &&
		      st.bytes == 0,
	      "bounds: served empty, every slot is free again");
	fairq_push(q, frame(1, 60, 0));
	fairq_free(q);		/* with a frame queued: ASan finds no leak */
	CHECK(n_released == 3, "bounds: what the queue drops, and what it holds "
			       "when freed, goes to its release callback (%d of 3)",
	      n_released);
}

int main(void)
{
	test_order();
	test_bounds();
	UNIT_END();
}
