/**
 * Preloaded (`node --import`) into the web server and the worker that `npm start` runs. When the launcher is gone
 * (kill -9, the OOM killer), the child is re-parented; it then stops itself with SIGTERM (its own graceful stop), so
 * no orphan keeps serving, working or holding the port while a supervisor starts a new launcher. The launcher's pid
 * comes from the environment, not from process.ppid at load time: the launcher may already be gone by then.
 */
const launcher = Number(process.env.DERMFLAG_LAUNCHER_PID);
if (launcher > 0) {
  const check = () => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  };
  const timer = setInterval(check, 500);
  timer.unref();
  check();
}
