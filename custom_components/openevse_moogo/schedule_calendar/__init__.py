"""One calendar mechanism for every schedule: a charger's timers, a pump's sprays, a plan.

`weekly` expands weekly wall-clock entries into dated windows and maps calendar edits back
(no Home Assistant imports); `entity` is the calendar entity over a `ScheduleSource`.
"""
