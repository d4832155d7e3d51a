//! The machine's own hiccups, measured beside the application without asking the database
//! anything, so that a stall of the application can be told apart from a stall of the machine:
//!
//! - **sleep**: a thread that does nothing, every [`PERIOD`]; how late it wakes is how long this
//!   process could not run (the two cores busy, the virtual machine paused by its host);
//! - **disk**: a thread that overwrites 8 kB at the start of a file and `fdatasync`s it, every
//!   [`PERIOD`]: what a database's commit asks of the disk (PostgreSQL's WAL and InnoDB's redo
//!   log are overwritten in place and synced the same way), without the database.
//!
//! The disk probe adds 100 small synced writes a second: about what one of the application's
//! three threads asks of the disk.

use crate::database::Result;
use crate::timetable::{PERIOD, Sample, Timetable};
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a commit writes to its log at least: one page.
const PAGE: [u8; 8192] = [0x5A; 8192];

/// The two probes, running.
pub struct MachineProbes {
    sleep: Timetable,
    disk: Timetable,
    file: PathBuf,
}

/// What the probes saw.
pub struct MachineSamples {
    /// The sleeping thread's lateness.
    pub sleep: Vec<Sample>,
    /// The synced writes' latency (from when each was due).
    pub disk: Vec<Sample>,
}

impl MachineProbes {
    /// Starts both probes; the disk probe writes `dir/machine-probe` (on the disk whose
    /// `fdatasync` is to be measured: the database servers' on this machine).
    pub fn start(dir: &Path) -> Result<MachineProbes> {
        std::fs::create_dir_all(dir)?;
        let file = dir.join("machine-probe");
        let mut log = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&file)?;
        // Allocated and synced once, so that each probe write overwrites a block in place.
        log.write_all(&PAGE)?;
        log.sync_all()?;
        let first_due = Instant::now() + PERIOD;
        let sleep = Timetable::start(first_due, || true);
        let disk = Timetable::start(first_due + PERIOD / 2, move || synced_write(&mut log));
        Ok(MachineProbes { sleep, disk, file })
    }

    /// Stops both probes and returns what they saw.
    pub fn finish(self) -> Result<MachineSamples> {
        self.sleep.stop_now()?;
        self.disk.stop_now()?;
        let samples = MachineSamples {
            sleep: self.sleep.join()?,
            disk: self.disk.join()?,
        };
        std::fs::remove_file(&self.file)?;
        Ok(samples)
    }
}

fn synced_write(log: &mut File) -> bool {
    log.seek(SeekFrom::Start(0)).is_ok() && log.write_all(&PAGE).is_ok() && log.sync_data().is_ok()
}

impl MachineSamples {
    /// The longest sleep lateness and the longest synced write among the samples due between
    /// `from` and `to`.
    pub fn worst(&self, from: Instant, to: Instant) -> (Duration, Duration) {
        let worst = |samples: &[Sample]| {
            samples
                .iter()
                .filter(|s| s.due >= from && s.due <= to)
                .map(|s| s.latency)
                .max()
                .unwrap_or_default()
        };
        (worst(&self.sleep), worst(&self.disk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probes_measure_and_clean_up() {
        let dir = std::env::temp_dir().join(format!("machine-probe-test-{}", std::process::id()));
        let begun = Instant::now();
        let probes = MachineProbes::start(&dir).expect("the probes start");
        std::thread::sleep(Duration::from_millis(60));
        let samples = probes.finish().expect("the probes stop");
        assert!(samples.sleep.len() >= 3, "{} sleeps", samples.sleep.len());
        assert!(
            samples.disk.iter().all(|s| s.ok),
            "every synced write succeeded"
        );
        assert!(!dir.join("machine-probe").exists(), "the file is removed");
        let (sleep, disk) = samples.worst(begun, Instant::now());
        assert!(sleep > Duration::ZERO && disk > Duration::ZERO);
        std::fs::remove_dir(&dir).expect("the directory is empty");
    }
}
