"""Operations and safety (no Home Assistant import).

Emergency release and lockdown, door alarms, faults and repairs, patrols and
inspections, planned maintenance, goods passes and renovations: the rules of
each in its own module, on the community's database (schema v9 tables).
"""
