/*
 * common/list.h — intrusive circular doubly linked list.
 *
 * A node is embedded in the object it links (no allocation per insert); an
 * empty list is a head pointing at itself.  All operations are O(1).
 * Iterate with list_for_each() or walk ->next/->prev by hand; use
 * container_of() (common/bug.h) to get from a node to its object.
 */
#ifndef PAGELAB_COMMON_LIST_H
#define PAGELAB_COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_head {
	struct list_head *next, *prev;
};

static inline void list_init(struct list_head *h)
{
	h->next = h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void __list_insert(struct list_head *n, struct list_head *prev,
				 struct list_head *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Insert n right after h (at the head of list h). */
static inline void list_add(struct list_head *n, struct list_head *h)
{
	__list_insert(n, h, h->next);
}

/* Insert n right before h (at the tail of list h). */
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_insert(n, h->prev, h);
}

/* Unlink n; n is left pointing at itself (so list_linked(n) is false). */
static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* True if node n (initialised with list_init) is on some list. */
static inline bool list_linked(const struct list_head *n)
{
	return n->next != n;
}

static inline void list_move(struct list_head *n, struct list_head *h)
{
	list_del(n);
	list_add(n, h);
}

static inline void list_move_tail(struct list_head *n, struct list_head *h)
{
	list_del(n);
	list_add_tail(n, h);
}

#define list_first(h) ((h)->next)
#define list_last(h)  ((h)->prev)

#define list_for_each(pos, h) \
	for ((pos) = (h)->next; (pos) != (h); (pos) = (pos)->next)

/* Safe against removal of pos. */
#define list_for_each_safe(pos, tmp, h)                                  \
	for ((pos) = (h)->next, (tmp) = (pos)->next; (pos) != (h);      \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
