// SPDX-License-Identifier: MIT
/*
 * image.c - a disk image's backing file, from its header (image.h)
 *
 * qcow2 (docs/interop/qcow2.txt in QEMU): big-endian; magic "QFI\xfb" at
 * 0, version at 4 (2 or 3), backing_file_offset (8 bytes) at 8 and
 * backing_file_size (4 bytes) at 16; an offset of 0 means no backing
 * file. QED (docs/interop/qed_spec.txt): little-endian; magic "QED\0" at
 * 0, features (8 bytes) at 16, of which bit 0 says there is a backing
 * file, backing_filename_offset (4 bytes) at 56 and _size (4) at 60.
 */
#include "plan/image.h"

#include <errno.h>
#include <string.h>

#include "common/bytes.h"

#define QCOW2_MAGIC 0x514649fbu
#define QED_F_BACKING_FILE 1u
#define NAME_OFFSET_MAX ((uint64_t)1 << 31)

static uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A name's place, checked: inside the first 2 GiB, 1..1023 bytes */
static int name_at(uint64_t offset, uint32_t size, uint64_t *o, uint32_t *s)
{
	if (!size || size > IMAGE_BACKING_MAX || offset < 20 ||
	    offset > NAME_OFFSET_MAX)
		return -EINVAL;
	*o = offset;
	*s = size;
	return 1;
}

static int qcow2(const uint8_t *h, size_t len, uint64_t *o, uint32_t *s)
{
	uint32_t version;
	uint64_t offset;

	if (len < 20)
		return -EINVAL;
	version = be32_get(h + 4);
	if (version != 2 && version != 3)
		return -EINVAL;
	offset = (uint64_t)be32_get(h + 8) << 32 | be32_get(h + 12);
	if (!offset)
		return 0;
	return name_at(offset, be32_get(h + 16), o, s);
}

static int qed(const uint8_t *h, size_t len, uint64_t *o, uint32_t *s)
{
	if (len < IMAGE_HEADER_LEN)
		return -EINVAL;
	if (!(le32_get(h + 16) & QED_F_BACKING_FILE))
		return 0;
	return name_at(le32_get(h + 56), le32_get(h + 60), o, s);
}

int image_backing_at(const uint8_t *hdr, size_t len, uint64_t *offset,
		     uint32_t *size)
{
	if (len >= 4 && be32_get(hdr) == QCOW2_MAGIC)
		return qcow2(hdr, len, offset, size);
	if (len >= 4 && !memcmp(hdr, "QED", 4))
		return qed(hdr, len, offset, size);
	return 0;
}
