/*
 * workloads/event.h — the one event stream that feeds both engines.
 *
 * Every trace format, reader and generator produces these events; the
 * simulator (sim/) and the real replayer (real/) consume them through the
 * same replay loop (cli/), so one trace means one sequence of policy calls
 * in both (docs/ENGINE.md).
 *
 *   EV_MMAP        map npages of file `file` starting at file page pgoff as
 *                  VMA `vma` (vma ids are small integers chosen by the trace;
 *                  an id may be reused after EV_UNMAP);
 *   EV_ACCESS      read or write page `page` (0-based, inside the VMA) of VMA
 *                  `vma`;
 *   EV_UNMAP       unmap VMA `vma` (its pages stay in RAM, dirty ones too);
 *   EV_WRITEOUT    write dirty pages of `file` back: flags EV_STORE and/or
 *                  EV_MARKSTORED (as fileh_dirty_writeout);
 *   EV_DISCARD     drop every dirty page of `file`;
 *   EV_INVALIDATE  drop page pgoff of `file` from RAM (reloaded on next use).
 *
 * Key-only cache traces (libCacheSim, csv) become one EV_MMAP of VMA 0 over
 * file 0, followed by EV_ACCESS events whose page is the key renumbered
 * densely in first-seen order (workloads/FORMAT.md).
 */
#ifndef PAGELAB_WORKLOADS_EVENT_H
#define PAGELAB_WORKLOADS_EVENT_H

#include <stdint.h>

enum ev_type {
	EV_MMAP = 1,
	EV_ACCESS,
	EV_UNMAP,
	EV_WRITEOUT,
	EV_DISCARD,
	EV_INVALIDATE,
};

/* A VMA's file pages [pgoff, pgoff + npages) lie below 2^40 (the page key
 * puts the file id above bit 40): what both engines accept, and what a
 * generator may produce. */
#define EV_PAGES_MAX (UINT64_C(1) << 40)

/* EV_WRITEOUT flags (same values as the virtmem's WRITEOUT_*). */
#define EV_STORE      0x1u
#define EV_MARKSTORED 0x2u

struct event {
	uint8_t type;		/* enum ev_type */
	uint8_t write;		/* EV_ACCESS: 1 for a write, 0 for a read */
	uint8_t flags;		/* EV_WRITEOUT: EV_STORE | EV_MARKSTORED */
	uint8_t _pad;
	uint32_t vma;		/* EV_MMAP, EV_ACCESS, EV_UNMAP */
	uint32_t file;		/* EV_MMAP, EV_WRITEOUT, EV_DISCARD, EV_INVALIDATE */
	uint32_t _pad2;
	uint64_t page;		/* EV_ACCESS: page in VMA; EV_MMAP, EV_INVALIDATE: file pgoff */
	uint64_t npages;	/* EV_MMAP */
};

#endif
