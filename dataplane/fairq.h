/* SPDX-License-Identifier: MIT */
/*
 * fairq.h - frames waiting for the NAT engine, served fairly per sender
 *
 * The kernel hands a TAP's frames to its reader through one ring that drops
 * at its tail when full: when one member of a network floods the engine,
 * every member's frames are dropped alike, and a member sending one SYN a
 * second loses it as surely as the flooder loses its excess. A TAP's qdisc
 * cannot help (tun never stops its queue, so the qdisc never holds a
 * frame). So the engine drains the ring into this queue as fast as it can
 * read, and decides itself what to drop and what to serve next:
 *
 *  - frames are kept per sender, keyed by the Ethernet source address (a
 *    member cannot borrow another's: anti-spoofing, antispoof.h, drops
 *    frames whose source is not the member's own);
 *  - senders are served in deficit round robin, FAIRQ_QUANTUM bytes a round,
 *    so a member with one frame waits for at most one quantum of each other
 *    sender's, however many the flooder has queued;
 *  - the queue holds at most max_frames frames and max_bytes bytes; past
 *    either, the oldest frame of the sender with the most bytes queued is
 *    dropped (as fq_codel drops from its fattest flow).
 *
 * Pure: no I/O, so tests can drive it frame by frame.
 */
#ifndef QBOX_FAIRQ_H
#define QBOX_FAIRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes a sender may take per round: one full-size Ethernet frame */
#define FAIRQ_QUANTUM 1514
/* Senders with frames queued at once; a frame from one more is dropped */
#define FAIRQ_SENDERS 256

struct fairq;

/* A frame and its length; its memory is the caller's (see fairq_new) */
struct fairq_frame {
	struct fairq_frame *next;
	size_t len;
	uint8_t data[];
};

struct fairq_stats {
	size_t frames, bytes;	/* queued now */
	unsigned int senders;	/* with frames queued now */
	uint64_t dropped;	/* since fairq_new() */
};

/* What the queue does with a frame it drops, or holds when freed */
typedef void fairq_release_fn(struct fairq_frame *f, void *opaque);

/*
 * An empty queue bounded by @max_frames and @max_bytes (both > 0). Frames
 * it drops go to @release(f, @opaque), or to free() when @release is NULL.
 */
struct fairq *fairq_new(size_t max_frames, size_t max_bytes,
			fairq_release_fn *release, void *opaque);

/*
 * Queue @f, whose len is set; the queue now owns it (and releases what it
 * drops). A frame too short to name its sender is dropped. Returns how many
 * frames were dropped to make room, this one included if it was.
 */
unsigned int fairq_push(struct fairq *q, struct fairq_frame *f);

/* The next frame to serve, or NULL when empty; the caller's again */
struct fairq_frame *fairq_pop(struct fairq *q);

bool fairq_empty(const struct fairq *q);

void fairq_stats(const struct fairq *q, struct fairq_stats *out);

/* Free the queue, releasing every frame in it */
void fairq_free(struct fairq *q);

#endif /* QBOX_FAIRQ_H */
