/*
 * harness.h: the in-tree unit test harness, in the spirit of PipeWire's
 * pwtest. TEST(name) { ... } registers a test at load time; main() (in
 * harness.c) runs each test in a forked child, so a crash or a failed
 * assertion ends only that test. Test files define tests, never main().
 */
#ifndef ATTUNE_HARNESS_H
#define ATTUNE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

struct test {
	const char	*name;
	void		(*fn)(void);
	struct test	*next;
	int		 selected;
};

void	harness_register(struct test *);
void	harness_fail(const char *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4), noreturn));
void	harness_eq_str(const char *, int, const char *, const char *,
	    const char *);
void	harness_eq_mem(const char *, int, const char *, const void *,
	    const void *, size_t);

#define TEST(name)							\
	static void test_##name(void);					\
	static struct test test_entry_##name = { #name, test_##name };	\
	__attribute__((constructor)) static void			\
	test_register_##name(void)					\
	{								\
		harness_register(&test_entry_##name);			\
	}								\
	static void test_##name(void)

#define ASSERT(c) do {							\
	if (!(c))							\
		harness_fail(__FILE__, __LINE__, "%s", #c);		\
} while (0)

#define ASSERT_EQ_INT(a, b) do {					\
	intmax_t harness_a_ = (intmax_t)(a), harness_b_ = (intmax_t)(b); \
	if (harness_a_ != harness_b_)					\
		harness_fail(__FILE__, __LINE__, "%s == %s: %jd != %jd", \
		    #a, #b, harness_a_, harness_b_);			\
} while (0)

#define ASSERT_EQ_UINT(a, b) do {					\
	uintmax_t harness_a_ = (uintmax_t)(a), harness_b_ = (uintmax_t)(b); \
	if (harness_a_ != harness_b_)					\
		harness_fail(__FILE__, __LINE__, "%s == %s: %ju != %ju", \
		    #a, #b, harness_a_, harness_b_);			\
} while (0)

#define ASSERT_EQ_STR(a, b)						\
	harness_eq_str(__FILE__, __LINE__, #a " == " #b, (a), (b))
#define ASSERT_EQ_MEM(a, b, n)						\
	harness_eq_mem(__FILE__, __LINE__, #a " == " #b, (a), (b), (n))

#endif
