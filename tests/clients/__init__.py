"""Client library tests over loopback sockets against the simulators."""
