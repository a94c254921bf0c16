/*
 * workloads/gen_matrix.c — traversals of a 2-D array mapped as one VMA.
 *
 * A rows x cols array of elem-byte elements stored row-major in file 0
 * (page size 4096), swept again and again in one of three orders:
 *   row    i outer, j inner: sequential pages;
 *   col    j outer, i inner: a stride of cols * elem bytes — when a row is a
 *          page or more, every access is a different page;
 *   block  block x block tiles, tile by tile, row-major inside a tile: the
 *          cache-blocked order of dense linear algebra.
 * Consecutive element accesses to the same page are one page access (the
 * engines count page accesses, not loads), so a row sweep of a page of
 * elements is a single access.  rows = cols = 0 means a square array of
 * about `pages` pages.
 */
#include <math.h>
#include <stdio.h>

#include "workloads/gen_impl.h"

#define MATRIX_PAGE 4096

static const char *const orders[] = { "row", "col", "block", NULL };

struct gen_matrix {
	struct gen g;
	uint64_t rows, cols, elem, block;
	int order;
	uint64_t i, j;		/* the next element */
	uint64_t bi, bj;	/* the current tile's first element (block) */
	uint64_t last;		/* the last page emitted, UINT64_MAX none */
};

static int matrix_args(struct gen *g, struct arg_spec *s)
{
	struct gen_matrix *m = (struct gen_matrix *)g;
	m->elem = 8;
	m->block = 64;
	s[0] = (struct arg_spec){ "rows", ARG_U64, &m->rows, 0, 1e9, NULL,
				  "rows, 0 = square from pages" };
	s[1] = (struct arg_spec){ "cols", ARG_U64, &m->cols, 0, 1e9, NULL,
				  "columns, 0 = square from pages" };
	s[2] = (struct arg_spec){ "elem", ARG_U64, &m->elem, 1, 1 << 20, NULL,
				  "bytes per element" };
	s[3] = (struct arg_spec){ "order", ARG_CHOICE, &m->order, 0, 0, orders,
				  "row, col or block traversal" };
	s[4] = (struct arg_spec){ "block", ARG_U64, &m->block, 1, 1e9, NULL,
				  "tile edge in elements (order=block)" };
	return 5;
}

static int matrix_init(struct gen *g, char *err, size_t errlen)
{
	struct gen_matrix *m = (struct gen_matrix *)g;
	unsigned __int128 bytes;

	if (!m->rows || !m->cols) {
		uint64_t n = (uint64_t)sqrt((double)g->npages * MATRIX_PAGE /
					    (double)m->elem);
		if (n == 0)
			n = 1;
		if (!m->rows)
			m->rows = n;
		if (!m->cols)
			m->cols = n;
	}
	bytes = (unsigned __int128)m->rows * m->cols * m->elem;
	if (bytes > ((unsigned __int128)1 << 60)) {
		snprintf(err, errlen, "generator matrix: %llu x %llu x %llu bytes "
			 "is too large", (unsigned long long)m->rows,
			 (unsigned long long)m->cols, (unsigned long long)m->elem);
		return -1;
	}
	g->npages = (uint64_t)((bytes + MATRIX_PAGE - 1) / MATRIX_PAGE);
	m->last = UINT64_MAX;
	return 0;
}

/* Advance to the next element in traversal order (wrapping to a new sweep). */
static inline void matrix_step(struct gen_matrix *m)
{
	switch (m->order) {
	case 0:
		if (++m->j == m->cols) {
			m->j = 0;
			if (++m->i == m->rows)
				m->i = 0;
		}
		break;
	case 1:
		if (++m->i == m->rows) {
			m->i = 0;
			if (++m->j == m->cols)
				m->j = 0;
		}
		break;
	default: {
		uint64_t je = m->bj + m->block < m->cols ? m->bj + m->block : m->cols;
		uint64_t ie = m->bi + m->block < m->rows ? m->bi + m->block : m->rows;
		if (++m->j < je)
			break;
		m->j = m->bj;
		if (++m->i < ie)
			break;
		/* next tile */
		m->bj += m->block;
		if (m->bj >= m->cols) {
			m->bj = 0;
			m->bi += m->block;
			if (m->bi >= m->rows)
				m->bi = 0;
		}
		m->i = m->bi;
		m->j = m->bj;
		break;
	}
	}
}

static long matrix_fill(struct gen *g, struct event *ev, size_t max)
{
	struct gen_matrix *m = (struct gen_matrix *)g;
	uint64_t n = max < g->limit ? max : g->limit, k = 0;

	while (k < n) {
		uint64_t off = (m->i * m->cols + m->j) * m->elem;
		uint64_t page = off / MATRIX_PAGE;

		if (page != m->last) {
			ev[k++] = gen_access(g, 0, page);
			m->last = page;
		}
		if (m->order != 1) {
			/* skip the rest of this page within the row run */
			uint64_t next = (page + 1) * MATRIX_PAGE;
			uint64_t rowbase = m->i * m->cols * m->elem;
			uint64_t jn = (next - rowbase + m->elem - 1) / m->elem;
			uint64_t je = m->order == 0 ? m->cols :
				      (m->bj + m->block < m->cols ? m->bj + m->block : m->cols);
			if (jn > m->j + 1) {
				/* jump to the last element of the run on this page */
				m->j = (jn < je ? jn : je) - 1;
			}
		}
		matrix_step(m);
	}
	return (long)k;
}

const struct gen_ops gen_matrix_ops = {
	.name = "matrix",
	.help = "row, column or blocked sweeps over a 2-D array (one VMA)",
	.size = sizeof(struct gen_matrix),
	.single_vma = 1,
	.args = matrix_args,
	.init = matrix_init,
	.fill = matrix_fill,
};
