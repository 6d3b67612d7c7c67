//! Which archives to keep: the newest of each of the last `daily` days, `weekly` ISO
//! weeks and `monthly` months that have a backup (grandfather-father-son). The newest
//! archive is always kept.

use crate::archive::ArchiveInfo;

#[derive(Debug, Clone, Copy)]
pub struct Keep {
    pub daily: usize,
    pub weekly: usize,
    pub monthly: usize,
}

/// Splits `archives` (newest first) into (keep, delete).
pub fn plan(archives: &[ArchiveInfo], keep: Keep) -> (Vec<ArchiveInfo>, Vec<ArchiveInfo>) {
    let mut days = Vec::new();
    let mut weeks = Vec::new();
    let mut months = Vec::new();
    let (mut kept, mut deleted) = (Vec::new(), Vec::new());
    for (i, archive) in archives.iter().enumerate() {
        let t = archive.created;
        let day = (t.year(), t.ordinal());
        let (week_year, week, _) = t.to_iso_week_date();
        let month = (t.year(), t.month() as u8);
        let mut keep_it = i == 0;
        if !days.contains(&day) && days.len() < keep.daily {
            days.push(day);
            keep_it = true;
        }
        if !weeks.contains(&(week_year, week)) && weeks.len() < keep.weekly {
            weeks.push((week_year, week));
            keep_it = true;
        }
        if !months.contains(&month) && months.len() < keep.monthly {
            months.push(month);
            keep_it = true;
        }
        if keep_it { kept.push(archive.clone()) } else { deleted.push(archive.clone()) }
    }
    (kept, deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, OffsetDateTime};

    #[test]
    fn keeps_exactly_the_configured_set() {
        // 120 daily backups at 02:00, plus a second one on the newest day.
        let start = OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap(); // 2026-01-01 00:00 UTC
        let mut archives: Vec<ArchiveInfo> = (0..120)
            .map(|d| ArchiveInfo { path: format!("a{d}").into(), created: start + Duration::days(d) + Duration::hours(2), size: 1 })
            .collect();
        archives.push(ArchiveInfo { path: "extra".into(), created: start + Duration::days(119) + Duration::hours(20), size: 1 });
        archives.sort_by_key(|a| std::cmp::Reverse(a.created));
        let (kept, deleted) = plan(&archives, Keep { daily: 7, weekly: 4, monthly: 3 });
        assert_eq!(kept.len() + deleted.len(), archives.len());
        let days: Vec<_> = kept.iter().map(|a| a.created.date().to_string()).collect();
        // 7 newest days (the newest day's later backup), then one per older week, then per month.
        assert_eq!(days[..7], ["2026-04-30", "2026-04-29", "2026-04-28", "2026-04-27", "2026-04-26", "2026-04-25", "2026-04-24"]);
        assert_eq!(kept[0].path.to_str(), Some("extra"));
        let weeks: std::collections::BTreeSet<_> = kept.iter().map(|a| a.created.to_iso_week_date().1).collect();
        assert!(weeks.len() >= 4);
        let months: std::collections::BTreeSet<_> = kept.iter().map(|a| a.created.month() as u8).collect();
        assert_eq!(months, [2u8, 3, 4].into_iter().collect(), "3 monthly: April, March, February");
        // 7 daily + weeks 16 and 15 (weeks 17 and 18 are covered by the dailies) + March and February.
        assert_eq!(kept.len(), 11, "{days:?}");
    }
}
