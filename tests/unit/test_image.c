// SPDX-License-Identifier: MIT
/* test_image.c - a disk image's backing file, from qcow2 and QED headers */
#include "common/bytes.h"
#include "plan/image.h"
#include "tests/unit/unit.h"

static void qcow2(uint8_t *h, uint32_t version, uint64_t off, uint32_t size)
{
	memset(h, 0, IMAGE_HEADER_LEN);
	be32_put(h, 0x514649fb);
	be32_put(h + 4, version);
	be32_put(h + 8, (uint32_t)(off >> 32));
	be32_put(h + 12, (uint32_t)off);
	be32_put(h + 16, size);
}

static void le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void qed(uint8_t *h, uint32_t features, uint32_t off, uint32_t size)
{
	memset(h, 0, IMAGE_HEADER_LEN);
	memcpy(h, "QED", 4);
	le32_put(h + 16, features);
	le32_put(h + 56, off);
	le32_put(h + 60, size);
}

int main(void)
{
	uint8_t h[IMAGE_HEADER_LEN];
	uint64_t off = 0;
	uint32_t size = 0;

	qcow2(h, 3, 0x1000, 12);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == 1 &&
		      off == 0x1000 && size == 12,
	      "qcow2 v3 with a backing file: its name's place");
	qcow2(h, 2, 72, 1);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == 1 && off == 72,
	      "qcow2 v2");
	qcow2(h, 3, 0, 0);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == 0,
	      "qcow2 without a backing file");
	qcow2(h, 4, 0x1000, 12);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == -EINVAL,
	      "qcow2 of an unknown version: malformed");
	qcow2(h, 3, 0x1000, 0);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == -EINVAL,
	      "an empty name: malformed");
	qcow2(h, 3, 0x1000, 1024);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == -EINVAL,
	      "a name longer than 1023 bytes: malformed");
	qcow2(h, 3, (uint64_t)1 << 40, 12);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == -EINVAL,
	      "a name past the first 2 GiB: malformed");
	qcow2(h, 3, 8, 12);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == -EINVAL,
	      "a name inside the header's fields: malformed");
	CHECK(image_backing_at(h, 19, &off, &size) == -EINVAL,
	      "a qcow2 header cut short: malformed");
	qed(h, 1, 0x200, 9);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == 1 &&
		      off == 0x200 && size == 9,
	      "QED with a backing file (little-endian)");
	qed(h, 2, 0x200, 9);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == 0,
	      "QED without the backing feature bit");
	qed(h, 1, 0x200, 9);
	CHECK(image_backing_at(h, 40, &off, &size) == -EINVAL,
	      "a QED header cut short: malformed");
	memcpy(h, "\x7f" "ELF", 4);
	CHECK(image_backing_at(h, sizeof(h), &off, &size) == 0,
	      "another format: no backing file followed");
	CHECK(image_backing_at(h, 0, &off, &size) == 0, "an empty file");
	UNIT_END();
}
