// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem-slab userspace harness, kernel emulation: debugfs, proc and
 * seq_file, as an in-memory tree the tests read (hk_debugfs_read()) and
 * count for the runner's leak check.
 */
#include "hk_shim.h"

enum hk_dkind { HK_D_DIR, HK_D_FOPS, HK_D_SEQ, HK_D_SINGLE, HK_D_U8, HK_D_U32, HK_D_U64,
		HK_D_ULONG, HK_D_BOOL };
struct dentry {
	char name[64];
	enum hk_dkind kind;
	struct dentry *parent;
	struct list_head children, sibling;
	void *data;
	const void *ops;
};
static struct dentry hk_debugfs_root = {
	.name = "", .kind = HK_D_DIR,
	.children = LIST_HEAD_INIT(hk_debugfs_root.children),
};
static struct dentry hk_proc_root = {
	.name = "proc", .kind = HK_D_DIR,
	.children = LIST_HEAD_INIT(hk_proc_root.children),
};
static pthread_mutex_t hk_debugfs_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int hk_debugfs_nr;

static struct dentry *hk_d_find(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *d;

	list_for_each_entry(d, &dir->children, sibling)
		if (strlen(d->name) == len && !strncmp(d->name, name, len))
			return d;
	return NULL;
}

static struct dentry *hk_d_create(const char *name, struct dentry *parent,
				  enum hk_dkind kind, void *data, const void *ops)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return parent;
	if (!parent)
		parent = &hk_debugfs_root;
	pthread_mutex_lock(&hk_debugfs_lock);
	if (hk_d_find(parent, name, strlen(name))) {
		pthread_mutex_unlock(&hk_debugfs_lock);
		printk(KERN_ERR "debugfs: '%s' already present in '%s'!\n", name, parent->name);
		return ERR_PTR(-EEXIST);
	}
	d = calloc(1, sizeof(*d));
	strscpy(d->name, name, sizeof(d->name));
	d->kind = kind;
	d->parent = parent;
	d->data = data;
	d->ops = ops;
	INIT_LIST_HEAD(&d->children);
	list_add_tail(&d->sibling, &parent->children);
	hk_debugfs_nr++;
	pthread_mutex_unlock(&hk_debugfs_lock);
	return d;
}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return hk_d_create(name, parent, HK_D_DIR, NULL, NULL);
}

struct dentry *debugfs_create_file(const char *name, umode_t mode, struct dentry *parent,
				   void *data, const struct file_operations *fops)
{
	(void)mode;
	return hk_d_create(name, parent, HK_D_FOPS, data, fops);
}

void debugfs_create_u8(const char *name, umode_t mode, struct dentry *parent, u8 *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_U8, value, NULL);
}

void debugfs_create_u32(const char *name, umode_t mode, struct dentry *parent, u32 *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_U32, value, NULL);
}

void debugfs_create_u64(const char *name, umode_t mode, struct dentry *parent, u64 *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_U64, value, NULL);
}

void debugfs_create_ulong(const char *name, umode_t mode, struct dentry *parent, unsigned long *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_ULONG, value, NULL);
}

void debugfs_create_bool(const char *name, umode_t mode, struct dentry *parent, bool *value)
{
	(void)mode;
	hk_d_create(name, parent, HK_D_BOOL, value, NULL);
}

static void hk_d_free_locked(struct dentry *d)
{
	struct dentry *c, *n;

	list_for_each_entry_safe(c, n, &d->children, sibling)
		hk_d_free_locked(c);
	list_del(&d->sibling);
	hk_debugfs_nr--;
	free(d);
}

void debugfs_remove(struct dentry *d)
{
	if (IS_ERR_OR_NULL(d))
		return;
	pthread_mutex_lock(&hk_debugfs_lock);
	hk_d_free_locked(d);
	pthread_mutex_unlock(&hk_debugfs_lock);
}

struct dentry *debugfs_lookup(const char *name, struct dentry *parent)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return NULL;
	pthread_mutex_lock(&hk_debugfs_lock);
	d = hk_d_find(parent ? parent : &hk_debugfs_root, name, strlen(name));
	pthread_mutex_unlock(&hk_debugfs_lock);
	return d;
}

void debugfs_lookup_and_remove(const char *name, struct dentry *parent)
{
	debugfs_remove(debugfs_lookup(name, parent));
}

unsigned int hk_debugfs_count(void)
{
	return hk_debugfs_nr;
}

struct proc_dir_entry *proc_create_seq_private(const char *name, umode_t mode,
					       struct proc_dir_entry *parent,
					       const struct seq_operations *ops,
					       unsigned int size, void *data)
{
	(void)mode;
	(void)size;
	return (struct proc_dir_entry *)hk_d_create(name, parent ? (struct dentry *)parent : &hk_proc_root,
						    HK_D_SEQ, data, ops);
}

struct proc_dir_entry *proc_create_single_data(const char *name, umode_t mode,
					       struct proc_dir_entry *parent,
					       int (*show)(struct seq_file *, void *), void *data)
{
	(void)mode;
	return (struct proc_dir_entry *)hk_d_create(name, parent ? (struct dentry *)parent : &hk_proc_root,
						    HK_D_SINGLE, data, (const void *)show);
}

void remove_proc_entry(const char *name, struct proc_dir_entry *parent)
{
	struct dentry *d;

	pthread_mutex_lock(&hk_debugfs_lock);
	d = hk_d_find(parent ? (struct dentry *)parent : &hk_proc_root, name, strlen(name));
	if (d)
		hk_d_free_locked(d);
	pthread_mutex_unlock(&hk_debugfs_lock);
}

static void hk_seq_grow(struct seq_file *m, size_t need)
{
	if (m->count + need + 1 <= m->size)
		return;
	m->size = max(m->size * 2, m->count + need + 1);
	m->buf = realloc(m->buf, m->size);
}

void seq_write(struct seq_file *m, const void *data, size_t len)
{
	hk_seq_grow(m, len);
	memcpy(m->buf + m->count, data, len);
	m->count += len;
	m->buf[m->count] = 0;
}

void seq_vprintf(struct seq_file *m, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = hk_vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return;
	hk_seq_grow(m, n);
	hk_vsnprintf(m->buf + m->count, n + 1, fmt, ap);
	m->count += n;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seq_vprintf(m, fmt, ap);
	va_end(ap);
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_write(m, s, strlen(s));
}

void seq_putc(struct seq_file *m, char c)
{
	seq_write(m, &c, 1);
}

void seq_put_decimal_ull(struct seq_file *m, const char *delim, unsigned long long n)
{
	seq_printf(m, "%s%llu", delim ? delim : "", n);
}

int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data)
{
	struct seq_file *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->single_show = show;
	m->private = data;
	file->private_data = m;
	return 0;
}

int seq_open(struct file *file, const struct seq_operations *op)
{
	struct seq_file *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->op = op;
	file->private_data = m;
	return 0;
}

static int hk_seq_release(struct file *file)
{
	struct seq_file *m = file->private_data;

	if (m) {
		free(m->buf);
		free(m);
	}
	file->private_data = NULL;
	return 0;
}

int single_release(struct inode *inode, struct file *file)
{
	(void)inode;
	return hk_seq_release(file);
}

int seq_release(struct inode *inode, struct file *file)
{
	(void)inode;
	return hk_seq_release(file);
}

/* Produce the whole file into m->buf (no paging: the harness reads it all). */
static int hk_seq_fill(struct seq_file *m)
{
	loff_t pos = 0;
	void *v;
	int ret = 0;

	if (m->single_show)
		return m->single_show(m, NULL);
	v = m->op->start(m, &pos);
	while (v && !IS_ERR(v)) {
		ret = m->op->show(m, v);
		if (ret < 0)
			break;
		v = m->op->next(m, v, &pos);
	}
	m->op->stop(m, v);
	return ret < 0 ? ret : 0;
}

ssize_t seq_read(struct file *f, char *buf, size_t n, loff_t *ppos)
{
	struct seq_file *m = f->private_data;
	size_t left;

	if (*ppos == 0) {
		m->count = 0;
		if (hk_seq_fill(m) < 0)
			return -EIO;
	}
	if ((size_t)*ppos >= m->count)
		return 0;
	left = min(n, m->count - (size_t)*ppos);
	memcpy(buf, m->buf + *ppos, left);
	*ppos += left;
	return left;
}

loff_t seq_lseek(struct file *f, loff_t off, int whence)
{
	(void)f;
	(void)whence;
	return off;
}

struct list_head *seq_list_start(struct list_head *head, loff_t pos)
{
	struct list_head *lh;

	list_for_each(lh, head)
		if (pos-- == 0)
			return lh;
	return NULL;
}

struct list_head *seq_list_next(void *v, struct list_head *head, loff_t *ppos)
{
	struct list_head *lh = ((struct list_head *)v)->next;

	++*ppos;
	return lh == head ? NULL : lh;
}

static struct dentry *hk_d_lookup_path(const char *path)
{
	struct dentry *d = &hk_debugfs_root;
	const char *p = path;

	if (!strncmp(p, "/proc/", 6)) {
		d = &hk_proc_root;
		p += 6;
	}
	while (*p == '/')
		p++;
	while (*p && d) {
		size_t len = strcspn(p, "/");

		d = hk_d_find(d, p, len);
		p += len;
		while (*p == '/')
			p++;
	}
	return d;
}

char *hk_debugfs_read(const char *path)
{
	struct inode inode = { 0 };
	struct file file = { 0 };
	struct seq_file tmp = { 0 };
	struct dentry *d;
	char *out = NULL;

	pthread_mutex_lock(&hk_debugfs_lock);
	d = hk_d_lookup_path(path);
	pthread_mutex_unlock(&hk_debugfs_lock);
	if (!d)
		return NULL;
	switch (d->kind) {
	case HK_D_DIR:
		return NULL;
	case HK_D_U8:
		seq_printf(&tmp, "%u\n", *(u8 *)d->data);
		break;
	case HK_D_U32:
		seq_printf(&tmp, "%u\n", *(u32 *)d->data);
		break;
	case HK_D_U64:
		seq_printf(&tmp, "%llu\n", (unsigned long long)*(u64 *)d->data);
		break;
	case HK_D_ULONG:
		seq_printf(&tmp, "%lu\n", *(unsigned long *)d->data);
		break;
	case HK_D_BOOL:
		seq_printf(&tmp, "%c\n", *(bool *)d->data ? 'Y' : 'N');
		break;
	case HK_D_SINGLE:
		tmp.single_show = (int (*)(struct seq_file *, void *))d->ops;
		tmp.private = d->data;
		if (hk_seq_fill(&tmp) < 0)
			goto fail;
		break;
	case HK_D_SEQ:
		tmp.op = d->ops;
		tmp.private = d->data;
		if (hk_seq_fill(&tmp) < 0)
			goto fail;
		break;
	case HK_D_FOPS: {
		const struct file_operations *fops = d->ops;
		char chunk[4096];
		loff_t pos = 0;
		ssize_t n;

		inode.i_private = d->data;
		if (fops->open && fops->open(&inode, &file))
			return NULL;
		if (fops->read)
			while ((n = fops->read(&file, chunk, sizeof(chunk), &pos)) > 0)
				seq_write(&tmp, chunk, n);
		if (fops->release)
			fops->release(&inode, &file);
		break;
	}
	}
	out = tmp.buf ? tmp.buf : strdup("");
	return out;
fail:
	free(tmp.buf);
	return NULL;
}

static void hk_d_list_rec(struct seq_file *m, struct dentry *d, const char *prefix)
{
	struct dentry *c;
	char buf[512];

	list_for_each_entry(c, &d->children, sibling) {
		snprintf(buf, sizeof(buf), "%s%s%s", prefix, *prefix ? "/" : "", c->name);
		seq_printf(m, "%s%s\n", buf, c->kind == HK_D_DIR ? "/" : "");
		if (c->kind == HK_D_DIR)
			hk_d_list_rec(m, c, buf);
	}
}

char *hk_debugfs_list(const char *path)
{
	struct seq_file tmp = { 0 };
	struct dentry *d;

	pthread_mutex_lock(&hk_debugfs_lock);
	d = path && *path ? hk_d_lookup_path(path) : &hk_debugfs_root;
	if (d)
		hk_d_list_rec(&tmp, d, path && *path ? path : "");
	pthread_mutex_unlock(&hk_debugfs_lock);
	return tmp.buf ? tmp.buf : strdup("");
}
