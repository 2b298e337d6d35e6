"""The charge plan in Home Assistant: settings, prices, the loop carrying the plan out, entities.

The pure planner (:mod:`..plan`) knows nothing of Home Assistant; this package feeds it (the
price entity or action, the car's measured power, the settings the plan entities hold), carries
its result out through our own claim and shows it.
"""
