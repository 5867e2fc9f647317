//! Work that mostly waits for the disk: reading every record, copying the
//! documents. On the cores' own pool two threads wait at a time; a disk
//! (and the virtual disks councils' servers have) answers many requests
//! at once far sooner than the same requests one after another. Reading
//! the record files of a 100,000-decision register with nothing in the
//! page cache took 7.8 s with two readers, 4.5 s with four, 3.9 s with
//! eight and 3.3 s with sixteen.

/// Threads for such work: most of the gain of sixteen, at half the
/// memory their allocator heaps keep (about 4 MB a thread in `check`).
const THREADS: usize = 8;

/// [`THREADS`], or fewer when `RAYON_NUM_THREADS` asks for fewer (as on
/// a server shared with other work, where it caps the cores' pool too).
fn threads() -> usize {
    let asked = std::env::var("RAYON_NUM_THREADS").ok().and_then(|v| v.trim().parse::<usize>().ok());
    asked.filter(|&n| n > 0).map_or(THREADS, |n| n.min(THREADS))
}

/// Runs `work` on a pool of its own: rayon's parallel iterators inside it
/// use that pool's threads, which end with it, so that what their heaps
/// keep is not held through the rest of a build. Without one (threads
/// cannot be started), `work` runs where it is.
pub fn install<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(threads()).thread_name(|i| format!("decreg-disk-{i}")).build();
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn work_given_to_the_disk_runs_on_its_own_wider_pool() {
        assert_eq!(super::install(rayon::current_num_threads), super::threads());
        let names: Vec<String> = super::install(|| {
            use rayon::prelude::*;
            (0..4).into_par_iter().map(|_| std::thread::current().name().unwrap_or("").to_string()).collect()
        });
        assert!(names.iter().all(|n| n.starts_with("decreg-disk-")), "{names:?}");
    }
}
