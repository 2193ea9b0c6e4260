package ksim.ctl;

/** One command of the control protocol: parsed arguments in, one answer out. */
@FunctionalInterface
interface Handler {
    Reply run(Ctl ctl, Args args);
}
