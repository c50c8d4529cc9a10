//! Mapping independent work over the machine's cores (pure computation, no I/O).

/// `f` of every item, in order. With at least `min` items and more than one core, the items are
/// split into one contiguous chunk per core, each mapped on its own scoped thread (a thread costs
/// tens of µs to start, so small inputs stay on the caller's).
pub fn map<T: Sync, R: Send>(items: &[T], min: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < min.max(2) {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a parallel task panicked"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_below_and_above_the_threshold() {
        let items: Vec<u64> = (0..1_000).collect();
        let expected: Vec<u64> = items.iter().map(|x| x * x).collect();
        assert_eq!(super::map(&items, 10, |x| x * x), expected);
        assert_eq!(super::map(&items[..5], 10, |x| x * x), expected[..5]);
        assert!(super::map(&[] as &[u64], 0, |x| *x).is_empty());
    }
}
