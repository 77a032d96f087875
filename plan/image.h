/* SPDX-License-Identifier: MIT */
/*
 * image.h - where a disk image's header says its backing file's name is
 *
 * A qcow2 (or QED) overlay names the image it is a delta of; QEMU opens
 * that one read-only, and its backing file in turn. A payload's view must
 * hold the whole chain (netns/view.c). This reads the headers qbox itself
 * rather than running `qemu-img info --backing-chain` before the sandbox
 * exists: that would parse an image the user (or a guest that wrote it)
 * controls with all of qemu-img's code, unconfined, where a few bounded
 * reads of two fixed header layouts are enough. Formats with other ways
 * to name a parent (VMDK's descriptor) are not followed: QEMU then fails
 * to open the parent in the view, and says which.
 */
#ifndef QBOX_IMAGE_H
#define QBOX_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* The header bytes image_backing_at() reads */
#define IMAGE_HEADER_LEN 64

/* The longest backing file name QEMU writes (qcow2: 1023 bytes) */
#define IMAGE_BACKING_MAX 1023

/**
 * image_backing_at() - where @hdr's backing file name lies
 * @hdr:	the image's first bytes
 * @len:	how many (IMAGE_HEADER_LEN or fewer: a shorter file)
 * @offset:	filled: the name's offset in the file
 * @size:	filled: its length in bytes, 1..IMAGE_BACKING_MAX
 *
 * Return: 1 when the image is qcow2 (versions 2 and 3) or QED and has a
 * backing file, 0 when it has none or is of another format, -EINVAL when
 * its header is that of qcow2 or QED but malformed (a name that is empty,
 * too long or not in the file's first 2 GiB).
 */
int image_backing_at(const uint8_t *hdr, size_t len, uint64_t *offset,
		     uint32_t *size);

#endif /* QBOX_IMAGE_H */
