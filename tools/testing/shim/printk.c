// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: printk, WARN, BUG and
 * the log ring the tests search (hk_log_contains()).  Messages at KERN_ERR
 * or worse and WARNs are counted (hk_nr_errors, hk_nr_warnings) for the
 * runner's "no unexpected error" check.
 */
#include <execinfo.h>

#include "hk_shim.h"

unsigned long hk_nr_errors;
unsigned long hk_nr_warnings;

#define HK_LOG_RING	(256 * 1024)
static char hk_log_ring[HK_LOG_RING];
static size_t hk_log_len;
static pthread_mutex_t hk_log_lock = PTHREAD_MUTEX_INITIALIZER;

static void hk_log_append(const char *s, size_t n)
{
	if (n >= HK_LOG_RING / 2)
		n = HK_LOG_RING / 2 - 1;
	if (hk_log_len + n + 1 > HK_LOG_RING) {
		size_t keep = HK_LOG_RING / 2;

		memmove(hk_log_ring, hk_log_ring + hk_log_len - keep, keep);
		hk_log_len = keep;
	}
	memcpy(hk_log_ring + hk_log_len, s, n);
	hk_log_len += n;
	hk_log_ring[hk_log_len] = 0;
}

/* Harness: does the log (since the last hk_log_clear()) contain @s? */
bool hk_log_contains(const char *s)
{
	bool r;

	pthread_mutex_lock(&hk_log_lock);
	r = strstr(hk_log_ring, s) != NULL;
	pthread_mutex_unlock(&hk_log_lock);
	return r;
}

void hk_log_clear(void)
{
	pthread_mutex_lock(&hk_log_lock);
	hk_log_len = 0;
	hk_log_ring[0] = 0;
	pthread_mutex_unlock(&hk_log_lock);
}


/*
 * vsnprintf with the kernel's pointer extensions: %p followed by letters
 * (%*ph hex dump, %pGg gfp flags, %pS symbol, ...).  glibc would print the
 * letters after the pointer; the kernel consumes them.
 */
static void hk_put(char *out, size_t size, size_t *pos, const char *s, size_t n)
{
	if (*pos < size) {
		size_t k = min(n, size - 1 - *pos);

		memcpy(out + *pos, s, k);
		out[*pos + k] = 0;
	}
	*pos += n;
}

int hk_vsnprintf(char *out, size_t size, const char *fmt, va_list ap)
{
	size_t pos = 0;
	char spec[32], tmp[512];

	if (size)
		out[0] = 0;
	while (*fmt) {
		const char *start = fmt;
		int width = -1, prec = -1, lng = 0, n;
		bool star_w = false, star_p = false;
		char conv;

		if (*fmt != '%') {
			while (*fmt && *fmt != '%')
				fmt++;
			hk_put(out, size, &pos, start, fmt - start);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			hk_put(out, size, &pos, "%", 1);
			fmt++;
			continue;
		}
		while (*fmt && strchr("-+ #0", *fmt))
			fmt++;
		if (*fmt == '*') {
			star_w = true;
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				fmt++;
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				star_p = true;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					fmt++;
			}
		}
		while (*fmt && strchr("hlzjtL", *fmt)) {
			lng += *fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't' ? 1 :
			       *fmt == 'h' ? 10 : 0;
			fmt++;
		}
		conv = *fmt;
		if (!conv)
			break;
		fmt++;
		n = (int)(fmt - start);
		if (n >= (int)sizeof(spec))
			n = sizeof(spec) - 1;
		memcpy(spec, start, n);
		spec[n] = 0;
		if (star_w)
			width = va_arg(ap, int);
		if (star_p)
			prec = va_arg(ap, int);
		tmp[0] = 0;
		switch (conv) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'c': {
			/* Flags/width/precision as given (stars folded in), then ll. */
			char s2[64], *q = s2;
			const char *p2;
			long long v;

			if (lng >= 2)
				v = va_arg(ap, long long);
			else if (lng == 1)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			if (conv == 'c') {
				snprintf(tmp, sizeof(tmp), "%c", (int)v);
				break;
			}
			if (lng == 20)
				v = (conv == 'd' || conv == 'i') ? (long long)(signed char)v : (long long)(unsigned char)v;
			else if (lng == 10)
				v = (conv == 'd' || conv == 'i') ? (long long)(short)v : (long long)(unsigned short)v;
			else if (lng == 0 && conv != 'd' && conv != 'i')
				v = (unsigned int)v;
			for (p2 = spec; p2[1]; p2++) {	/* all but the conversion */
				if (*p2 == '*')
					q += sprintf(q, "%d", p2 > spec && p2[-1] == '.' ? prec : width);
				else if (!strchr("hlzjtL", *p2))
					*q++ = *p2;
			}
			*q++ = 'l';
			*q++ = 'l';
			*q++ = conv;
			*q = 0;
			snprintf(tmp, sizeof(tmp), s2, v);
			break;
		}
		case 'e': case 'f': case 'g': case 'E': case 'G': {
			double v = va_arg(ap, double);

			snprintf(tmp, sizeof(tmp), "%g", v);
			break;
		}
		case 's': {
			const char *v = va_arg(ap, const char *);

			if (!v)
				v = "(null)";
			if (prec < 0 && !star_p) {
				/* plain or fixed width/precision: let libc do it */
				snprintf(tmp, sizeof(tmp), spec, v);
			} else {
				snprintf(tmp, sizeof(tmp), "%*.*s", star_w ? width : 0, prec, v);
			}
			break;
		}
		case 'p': {
			const void *v = va_arg(ap, const void *);
			char ext = *fmt;

			if (ext == 'h') {	/* %*ph: hex bytes, width = count */
				const u8 *b = v;
				int cnt = star_w ? width : 1, i, o = 0;

				for (i = 0; i < cnt && i < 64 && o < (int)sizeof(tmp) - 4; i++)
					o += sprintf(tmp + o, i ? " %02x" : "%02x", b[i]);
			} else if (ext == 'G' && fmt[1] == 'g') {
				snprintf(tmp, sizeof(tmp), "%#x", *(const gfp_t *)v);
			} else {
				snprintf(tmp, sizeof(tmp), "%p", v);
			}
			while ((*fmt >= 'a' && *fmt <= 'z') || (*fmt >= 'A' && *fmt <= 'Z') ||
			       (*fmt >= '0' && *fmt <= '9'))
				fmt++;
			break;
		}
		default:
			snprintf(tmp, sizeof(tmp), "%s", spec);
			break;
		}
		hk_put(out, size, &pos, tmp, strlen(tmp));
	}
	return (int)pos;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[1024];
	int level = 4, n;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		level = fmt[1] == 'c' ? 7 : fmt[1] - '0';
		fmt += 2;
	}
	n = hk_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (level <= 3)
		__atomic_fetch_add(&hk_nr_errors, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&hk_log_lock);
	hk_log_append(buf, n);
	pthread_mutex_unlock(&hk_log_lock);
	if (level < hk_loglevel)
		fputs(buf, stderr);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void dump_stack(void)
{
	void *bt[32];
	int n = backtrace(bt, 32);

	if (hk_loglevel > 4)
		backtrace_symbols_fd(bt, n, 2);
}

void hk_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&hk_nr_warnings, 1, __ATOMIC_RELAXED);
	printk(KERN_WARNING "WARNING: %s:%d: %s (cpu %d, tid %d)\n", file, line,
	       cond, hk_self.cpu, hk_self.tid);
	dump_stack();
}

void hk_bug(const char *file, int line, const char *cond)
{
	void *bt[32];
	int n = backtrace(bt, 32);

	fprintf(stderr, "kernel BUG at %s:%d: %s (cpu %d, tid %d)\n", file, line,
		cond, hk_self.cpu, hk_self.tid);
	backtrace_symbols_fd(bt, n, 2);
	abort();
}
