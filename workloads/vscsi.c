/*
 * workloads/vscsi.c — VMware vscsi block traces (the CloudPhysics and MSR
 * style traces libCacheSim reads as "vscsi").
 *
 * Fixed-size little-endian records, in one of two versions:
 *
 *     v1, 32 bytes: u32 sn; u32 len; u32 nSG; u16 cmd; u16 ver; u64 lbn; u64 ts;
 *     v2, 40 bytes: u16 cmd; u16 ver; u32 sn; u32 len; u32 nSG; u64 lbn;
 *                   u64 ts; u64 rt;
 *
 * told apart by the version byte (ver >> 8) of the first records, as
 * libCacheSim does.  cmd is the SCSI opcode: READ(6/10/12/16) 0x08, 0x28,
 * 0xa8, 0x88 are reads, WRITE(6/10/12/16) 0x0a, 0x2a, 0xaa, 0x8a writes;
 * any other opcode is reported as a corrupt record.  lbn is in 512-byte
 * sectors, len in bytes: by default (block unit 512) each request is one
 * access to every page it touches (keyonly.h); with block unit 0 it is one
 * access to the key lbn, libCacheSim's unit-size view.  ts, sn, nSG, rt are
 * not used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/keyonly.h"

struct vscsi_reader {
	struct trace_reader r;
	struct tin t;
	struct keyonly k;
	unsigned ver;		/* 1 or 2 */
	unsigned rec;		/* record bytes: 32 (v1) or 40 (v2) */
	uint64_t index;		/* records read */
};

/* 1 read, 2 write, 0 not a SCSI read or write opcode. */
static int scsi_rw(unsigned cmd)
{
	switch (cmd) {
	case 0x08: case 0x28: case 0xa8: case 0x88:
		return 1;
	case 0x0a: case 0x2a: case 0xaa: case 0x8a:
		return 2;
	}
	return 0;
}

static void decode(const unsigned char *p, unsigned rec, unsigned *cmd,
		   unsigned *ver, uint32_t *len, uint64_t *lbn)
{
	uint16_t c, v;

	if (rec == 32) {
		memcpy(&c, p + 12, 2);
		memcpy(&v, p + 14, 2);
		memcpy(len, p + 4, 4);
	} else {
		memcpy(&c, p, 2);
		memcpy(&v, p + 2, 2);
		memcpy(len, p + 8, 4);
	}
	memcpy(lbn, p + 16, 8);
	*cmd = c;
	*ver = v;
}

unsigned vscsi_version(const unsigned char *p, size_t n)
{
	static const unsigned recs[2] = { 40, 32 };

	for (int i = 0; i < 2; i++) {
		unsigned rec = recs[i], want = rec == 40 ? 2 : 1;
		size_t nrec = n / rec, ok = 0;

		if (nrec > 8)
			nrec = 8;
		for (size_t j = 0; j < nrec; j++) {
			unsigned cmd, ver;
			uint32_t len;
			uint64_t lbn;
			decode(p + j * rec, rec, &cmd, &ver, &len, &lbn);
			if (ver >> 8 != want || !scsi_rw(cmd))
				break;
			ok++;
		}
		if (nrec && ok == nrec)
			return want;
	}
	return 0;
}

static long vscsi_read(struct trace_reader *r, struct event *ev, size_t max)
{
	struct vscsi_reader *v = container_of(r, struct vscsi_reader, r);
	struct tin *t = &v->t;
	long k = keyonly_begin(&v->k, r, ev, max);

	if (k < 0)
		return -1;
	while ((size_t)k < max) {
		long n;
		const unsigned char *p = keyonly_record(t, r, v->rec, &n);
		unsigned cmd, ver;
		uint32_t len;
		uint64_t lbn;
		int rw;

		if (!p) {
			if (n < 0)
				return -1;
			break;
		}
		decode(p, v->rec, &cmd, &ver, &len, &lbn);
		rw = scsi_rw(cmd);
		if (!rw)
			return trace_fail(r, tin_offset(t), "corrupt record %llu: "
					  "SCSI opcode 0x%02x is not a read or "
					  "a write", (unsigned long long)v->index, cmd);
		if (ver >> 8 != v->ver)
			return trace_fail(r, tin_offset(t), "corrupt record %llu: "
					  "version %u in a version %u trace",
					  (unsigned long long)v->index, ver >> 8,
					  v->ver);
		n = keyonly_block(&v->k, r, tin_offset(t), lbn, len, rw == 2,
				  ev + k, max - (size_t)k);
		if (n < 0)
			return -1;
		k += n;
		t->pos += v->rec;
		v->index++;
	}
	return k;
}

static void vscsi_close(struct trace_reader *r)
{
	struct vscsi_reader *v = container_of(r, struct vscsi_reader, r);
	keyonly_free(&v->k);
	tin_close(&v->t);
	free(v);
}

static const struct trace_reader_ops vscsi_ops = {
	.read = vscsi_read,
	.close = vscsi_close,
};

struct trace_reader *vscsi_open(struct tin *t, const char *path,
				const struct trace_opts *o, char *err,
				size_t errlen)
{
	struct vscsi_reader *v = calloc(1, sizeof(*v));
	uint64_t bytes;
	const unsigned char *p;
	long avail;
	unsigned ver;

	if (!v) {
		snprintf(err, errlen, "%s: out of memory", path);
		tin_close(t);
		return NULL;
	}
	v->t = *t;
	trace_base_init(&v->r, &vscsi_ops, path, "vscsi");
	if (keyonly_init(&v->k, o, KEYONLY_SECTOR_BYTES, path, err, errlen) < 0)
		goto fail;
	avail = tin_need(&v->t, 8 * 40);
	if (avail < 0) {
		snprintf(err, errlen, "%s: offset 0: %s", path, v->t.err);
		goto fail;
	}
	/* the version of the first records as detection sees it, or else
	 * the version byte of the first record alone: a damaged later record
	 * is then reported where it is */
	p = v->t.buf + v->t.pos;
	ver = vscsi_version(p, (size_t)avail);
	if (!ver && avail >= 40 && p[3] == 2)
		ver = 2;
	if (!ver && (avail < 32 || p[15] == 1))
		ver = 1;	/* or empty, or "truncated" from the first read */
	if (!ver) {
		snprintf(err, errlen, "%s: offset 0: not a vscsi trace (the first "
			 "record is neither version 1 nor version 2)", path);
		goto fail;
	}
	v->ver = ver;
	v->rec = ver == 2 ? 40 : 32;
	bytes = keyonly_stream_bytes(&v->t, path);
	keyonly_set_bound(&v->k, &v->r, bytes == UINT64_MAX ? bytes : bytes / v->rec);
	if (bytes != UINT64_MAX && !v->k.unit) {	/* one access per record */
		v->r.h.naccesses = bytes / v->rec;
		v->r.h.nevents = bytes / v->rec + 1;
	}
	return &v->r;
fail:
	keyonly_free(&v->k);
	tin_close(&v->t);
	free(v);
	return NULL;
}
