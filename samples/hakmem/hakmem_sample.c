// SPDX-License-Identifier: GPL-2.0
/*
 * hakmem_sample: a small driver that allocates its objects from hakmem-slab.
 *
 * /dev/hakmem_sample is a record queue, one per open file: each write()
 * keeps the bytes written as one record, each read() hands back the oldest
 * record whole and frees it, and close() frees whatever was not read.  It
 * is the shape of most small-object users: a state object per open file
 * and a stream of short-lived objects hanging off it.
 *
 * It uses both faces of hakmem (Documentation/hakmem-sample.rst):
 *
 *  - two dedicated caches, like kmem_cache_create(): one for the per-open
 *    state (struct hs_file), one for the record headers (struct hs_record),
 *    objects of a fixed size allocated and freed often;
 *  - hakmem_alloc() / hakmem_free(), like kmalloc() / kfree(), for each
 *    record's payload, whose size is whatever the write asked for.
 *
 * Memory is bounded: an open file holds at most max_records records of at
 * most HS_RECORD_MAX bytes each; a write beyond that fails with -ENOSPC
 * until a read frees a record.
 *
 * Locking: hs_file.lock (a mutex: the copies to and from user space may
 * sleep) protects the file's record list and count.  Two processes that
 * share one open file (after fork(), or threads) write and read the same
 * queue under it.  Different open files share nothing but the caches,
 * which do their own locking, and the statistics, which are atomics.
 *
 * The module's counters are in /sys/kernel/debug/hakmem_sample/stats, the
 * caches' in /sys/kernel/debug/hakmem/hakmem_sample_{file,record}/stats.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "hakmem_slab.h"

/*
 * The largest record.  A longer write keeps its first HS_RECORD_MAX bytes
 * and returns that count, as a pipe takes what fits: write(2) callers
 * loop over short writes.  1024 bytes is hakmem's largest tiny class, so
 * every payload comes from hakmem itself, never from kmalloc().
 */
#define HS_RECORD_MAX	HAKMEM_MAX_TINY_SIZE

static unsigned int max_records = 256;
module_param(max_records, uint, 0444);
MODULE_PARM_DESC(max_records,
		 "records one open file may hold; a write beyond fails with -ENOSPC (1..65536, default 256)");

/**
 * struct hs_file - the state of one open file, from hs_file_cache
 * @lock: protects @records and @nr_records
 * @records: the records written and not read yet, oldest first
 * @nr_records: how many @records holds, at most max_records
 */
struct hs_file {
	struct mutex lock;	/* protects records, nr_records */
	struct list_head records;
	unsigned int nr_records;
};

/**
 * struct hs_record - one write's bytes, from hs_record_cache
 * @node: in hs_file.records
 * @len: the payload's length, 1..HS_RECORD_MAX
 * @data: the payload, from hakmem_alloc()
 */
struct hs_record {
	struct list_head node;
	size_t len;
	void *data;
};

static struct hakmem_cache *hs_file_cache;
static struct hakmem_cache *hs_record_cache;
static struct dentry *hs_debugfs;

/* What the module did since it was loaded, and what is live now. */
static atomic_long_t hs_opens, hs_records_written, hs_records_read,
		     hs_records_dropped, hs_writes_refused;
static atomic_long_t hs_live_files, hs_live_records, hs_live_bytes;

static void hs_record_free(struct hs_record *rec)
{
	atomic_long_dec(&hs_live_records);
	atomic_long_sub(rec->len, &hs_live_bytes);
	hakmem_free(rec->data);
	hakmem_cache_free(hs_record_cache, rec);
}

static int hs_open(struct inode *inode, struct file *file)
{
	struct hs_file *hf;

	hf = hakmem_cache_alloc(hs_file_cache, GFP_KERNEL);
	if (!hf)
		return -ENOMEM;
	mutex_init(&hf->lock);
	INIT_LIST_HEAD(&hf->records);
	hf->nr_records = 0;

	/* misc_open() left the miscdevice here; the file's state replaces it. */
	file->private_data = hf;
	atomic_long_inc(&hs_opens);
	atomic_long_inc(&hs_live_files);
	/* A queue, not a file: no seek, no pread()/pwrite(), no position. */
	return stream_open(inode, file);
}

static int hs_release(struct inode *inode, struct file *file)
{
	struct hs_file *hf = file->private_data;
	struct hs_record *rec, *next;

	/* The last reference is gone: nobody else can take hf->lock. */
	list_for_each_entry_safe(rec, next, &hf->records, node) {
		list_del(&rec->node);
		hs_record_free(rec);
		atomic_long_inc(&hs_records_dropped);
	}
	mutex_destroy(&hf->lock);
	hakmem_cache_free(hs_file_cache, hf);
	atomic_long_dec(&hs_live_files);
	return 0;
}

static ssize_t hs_write(struct file *file, const char __user *buf,
			size_t count, loff_t *ppos)
{
	struct hs_file *hf = file->private_data;
	size_t len = min_t(size_t, count, HS_RECORD_MAX);
	struct hs_record *rec;
	int ret;

	if (!len)
		return 0;

	/*
	 * Allocate and fill the record before taking the lock: the copy may
	 * fault and sleep, and the other users of this file need not wait
	 * for it.  A write to a full queue therefore allocates and frees a
	 * record for nothing; the cap still holds, as the check and the
	 * insertion are done under the lock together.
	 */
	rec = hakmem_cache_alloc(hs_record_cache, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->data = hakmem_alloc(len, GFP_KERNEL);
	if (!rec->data) {
		ret = -ENOMEM;
		goto free_rec;
	}
	if (copy_from_user(rec->data, buf, len)) {
		ret = -EFAULT;
		goto free_data;
	}
	rec->len = len;

	mutex_lock(&hf->lock);
	if (hf->nr_records >= max_records) {
		mutex_unlock(&hf->lock);
		atomic_long_inc(&hs_writes_refused);
		ret = -ENOSPC;
		goto free_data;
	}
	list_add_tail(&rec->node, &hf->records);
	hf->nr_records++;
	atomic_long_inc(&hs_live_records);
	atomic_long_add(len, &hs_live_bytes);
	mutex_unlock(&hf->lock);

	atomic_long_inc(&hs_records_written);
	return len;

free_data:
	hakmem_free(rec->data);
free_rec:
	hakmem_cache_free(hs_record_cache, rec);
	return ret;
}

static ssize_t hs_read(struct file *file, char __user *buf, size_t count,
		       loff_t *ppos)
{
	struct hs_file *hf = file->private_data;
	struct hs_record *rec;
	ssize_t ret;

	/*
	 * The copy is made under the lock so that a record leaves the queue
	 * only once it reached the caller: a fault leaves it at the head, and
	 * two readers of one file see the records in the order written.
	 */
	mutex_lock(&hf->lock);
	rec = list_first_entry_or_null(&hf->records, struct hs_record, node);
	if (!rec) {
		ret = 0;		/* empty: end of file */
		goto unlock;
	}
	if (count < rec->len) {
		ret = -EMSGSIZE;	/* a record is read whole or not at all */
		goto unlock;
	}
	if (copy_to_user(buf, rec->data, rec->len)) {
		ret = -EFAULT;
		goto unlock;
	}
	list_del(&rec->node);
	hf->nr_records--;
	mutex_unlock(&hf->lock);

	ret = rec->len;
	hs_record_free(rec);
	atomic_long_inc(&hs_records_read);
	return ret;

unlock:
	mutex_unlock(&hf->lock);
	return ret;
}

static const struct file_operations hs_fops = {
	.owner		= THIS_MODULE,
	.open		= hs_open,
	.release	= hs_release,
	.read		= hs_read,
	.write		= hs_write,
};

static struct miscdevice hs_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hakmem_sample",
	.fops	= &hs_fops,
	.mode	= 0600,
};

static int hs_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "opens           %ld\n", atomic_long_read(&hs_opens));
	seq_printf(m, "records_written %ld\n", atomic_long_read(&hs_records_written));
	seq_printf(m, "records_read    %ld\n", atomic_long_read(&hs_records_read));
	seq_printf(m, "records_dropped %ld\n", atomic_long_read(&hs_records_dropped));
	seq_printf(m, "writes_refused  %ld\n", atomic_long_read(&hs_writes_refused));
	seq_printf(m, "live_files      %ld\n", atomic_long_read(&hs_live_files));
	seq_printf(m, "live_records    %ld\n", atomic_long_read(&hs_live_records));
	seq_printf(m, "live_bytes      %ld\n", atomic_long_read(&hs_live_bytes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hs_stats);

static int __init hs_init(void)
{
	int ret;

	if (!max_records || max_records > 65536) {
		pr_warn("max_records=%u out of range (1..65536)\n", max_records);
		return -EINVAL;
	}

	/*
	 * The caches exist before the device does, and outlive it: no open
	 * file can see a cache that is not there.  The per-open state is
	 * touched by whichever CPU runs the file's users: SLAB_HWCACHE_ALIGN
	 * keeps two files off one cache line.
	 */
	hs_file_cache = hakmem_cache_create("hakmem_sample_file",
					    sizeof(struct hs_file), 0,
					    SLAB_HWCACHE_ALIGN, NULL);
	if (!hs_file_cache)
		return -ENOMEM;
	hs_record_cache = hakmem_cache_create("hakmem_sample_record",
					      sizeof(struct hs_record), 0, 0,
					      NULL);
	if (!hs_record_cache) {
		ret = -ENOMEM;
		goto destroy_file_cache;
	}

	hs_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0444, hs_debugfs, NULL, &hs_stats_fops);

	ret = misc_register(&hs_misc);
	if (ret) {
		pr_err("misc_register failed: %d\n", ret);
		goto remove_debugfs;
	}
	pr_info("/dev/%s ready, %u records of up to %u bytes per open file\n",
		hs_misc.name, max_records, HS_RECORD_MAX);
	return 0;

remove_debugfs:
	debugfs_remove(hs_debugfs);
	hakmem_cache_destroy(hs_record_cache);
destroy_file_cache:
	hakmem_cache_destroy(hs_file_cache);
	return ret;
}

static void __exit hs_exit(void)
{
	/*
	 * The module cannot be unloaded while a file is open (hs_fops.owner
	 * holds a reference), so every record and file is freed by now and
	 * the caches are empty; hakmem would report any object left.
	 */
	misc_deregister(&hs_misc);
	debugfs_remove(hs_debugfs);
	hakmem_cache_destroy(hs_record_cache);
	hakmem_cache_destroy(hs_file_cache);
	pr_info("unloaded: %ld records written, %ld read, %ld dropped at close\n",
		atomic_long_read(&hs_records_written),
		atomic_long_read(&hs_records_read),
		atomic_long_read(&hs_records_dropped));
}

module_init(hs_init);
module_exit(hs_exit);

/* hakmem's API is in the HAKMEM symbol namespace (hakmem_compat.h). */
MODULE_IMPORT_NS(HAKMEM_NS);
MODULE_DESCRIPTION("Sample driver: per-open record queues allocated from hakmem-slab");
MODULE_LICENSE("GPL");
