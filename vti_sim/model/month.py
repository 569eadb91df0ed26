"""The month's arithmetic between the verbs, compiled: one pass per step of ``VTIModel.step``.

Each step of the schedule reads a few dozen scalars, calls its roles' verbs (the compiled passes beside each
mechanism: ``agents._ration_leaders``, ``agents._staff_allocation`` ...) and combines their results.  Done in
Python, that glue cost about 80 % of a run (a few hundred interpreted operations a month); here each step's glue
and the verbs it composes are one compiled call, fed the run's coefficients as one tuple read once from the
registry.  The formulas are those of the step's method in ``model.py``, operation for operation and in the same
order, so that every output stays the same bit for bit (``tests/test_bit_identity.py``); the methods' docstrings
and ``docs/ODD.md`` describe what they mean.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from numba import njit

from .agents import _ration_leaders, _staff_allocation
from .phases import AMBITION, ITEM_OPEN_SENSITIVE, OPEN_BODIES, ORGANISATIONAL
from .portfolio import _realise_value
from .time_budget import DELIVERY, EVALUATION, OPEN, STEERING, TRAINING
from .value import GENERATORS, _account

EFFICIENCY, EFFECTIVENESS, INTRINSIC, TRANSPARENCY, PARTICIPATION, COLLABORATION = range(len(GENERATORS))
_OPEN_SENSITIVE = np.flatnonzero(ITEM_OPEN_SENSITIVE)

_COMPENSATED_SUM = sys.version_info >= (3, 12)  # Python 3.12's sum() of floats is compensated (Neumaier)


@njit(cache=True)
def builtin_sum(values):
    """``sum(values)`` of a sequence of floats exactly as this Python's built-in computes it: naive before 3.12,
    Neumaier-compensated from 3.12 on (the start value is the int 0)."""
    s = 0.0 + values[0]
    if _COMPENSATED_SUM:
        c = 0.0
        for i in range(1, len(values)):
            v = values[i]
            t = s + v
            if abs(s) >= abs(v):
                c += (s - t) + v
            else:
                c += (v - t) + s
            s = t
        if c != 0.0 and math.isfinite(c):
            s += c
        return s
    for i in range(1, len(values)):
        s += values[i]
    return s


TIME_COEFFICIENTS = ("information_sharing", "information_hours_base", "information_hours_per_delivered",
                     "monitoring_hours_per_action", "monitoring_directors_share", "steering_reference_hours",
                     "leader_engagement_reference_hours", "proactivity_engagement_weight")


@njit(cache=True)
def allocate_time_pass(k, steering, items, open_demand, fac_capacity, n_delivered, directors_work,
                       directors_training, mediation_hours, data_hours, training_each, evaluation,
                       el_free, el_commitment, el_share, el_involvement, el_capacity, el_fulfilment, el_offset,
                       di_free, di_commitment, di_share, di_involvement, di_capacity, di_fulfilment, di_offset,
                       st_capacity, st_direction, st_count, staff_work, st_fulfilment, st_per_direction,
                       st_direction_fulfilment, served, demanded, shared, item_fulfilment):
    """``VTIModel.allocate_time``: the three roles' demand rows, their rationing (``_ration_leaders`` twice,
    ``_staff_allocation``), then fulfilments, transversality and proactivity.  Fills ``served`` and ``demanded``
    (3 roles x 5 activities), the staff's ``shared`` row and ``item_fulfilment`` (3,); returns the scalars."""
    info_sharing, info_base, info_per_delivered, monitoring_per_action, m_dir, steering_reference, \
        engagement_reference, w = k
    st_e, st_d, st_s = steering
    ie, id_, is_, ve, vd, vs = items
    op_e, op_d, op_s = open_demand
    fac = min(op_s, fac_capacity)
    info = info_sharing * (info_base + info_per_delivered * n_delivered)
    monitoring = monitoring_per_action * n_delivered
    # elected officials, then directors (_Leaders.allocate_time)
    de, dd, ds = demanded[0], demanded[1], demanded[2]
    se, sd, ss = served[0], served[1], served[2]
    de[0], de[1], de[2], de[3], de[4] = st_e, op_e, ie, ve, 0.0
    s = _ration_leaders(el_free, el_commitment, el_share, el_involvement, builtin_sum(de), el_capacity,
                        el_fulfilment, el_offset)
    for a in range(de.size):
        se[a] = de[a] * s
    dd[0], dd[1], dd[2], dd[3], dd[4] = st_d, op_d, id_ + directors_work, vd + m_dir * monitoring, directors_training
    s = _ration_leaders(di_free, di_commitment, di_share, di_involvement, builtin_sum(dd), di_capacity,
                        di_fulfilment, di_offset)
    for a in range(dd.size):
        sd[a] = dd[a] * s
    # staff (OperationalStaff.allocate_time)
    shared[0], shared[1], shared[2], shared[3], shared[4] = (st_s, op_s - fac, is_ + mediation_hours + data_hours,
                                                             vs + (1.0 - m_dir) * monitoring + info, 0.0)
    n = st_capacity.size
    f_sum, delivery_served, delivery_demanded = _staff_allocation(
        st_capacity, st_direction, st_count, staff_work, builtin_sum(shared) / n + training_each + 1e-12,
        st_fulfilment, st_per_direction, st_direction_fulfilment)
    for a in range(shared.size):
        ss[a] = shared[a] * (f_sum / n)
        ds[a] = shared[a]
    ss[DELIVERY] += delivery_served
    ss[TRAINING] = training_each * f_sum
    ds[DELIVERY] += delivery_demanded
    ds[TRAINING] = training_each * n
    # the model's view
    d_e, d_d, d_s = builtin_sum(de), builtin_sum(dd), builtin_sum(ds)
    s_e, s_d, s_s = builtin_sum(se), builtin_sum(sd), builtin_sum(ss)
    col = EVALUATION if evaluation else DELIVERY
    for r in range(3):
        item_fulfilment[r] = served[r, col] / demanded[r, col] if demanded[r, col] > 0 else 1.0
    f_info = ss[EVALUATION] / ds[EVALUATION] if ds[EVALUATION] > 0 else 1.0
    f_staff_delivery = ss[DELIVERY] / ds[DELIVERY] if ds[DELIVERY] > 0 else 1.0
    transversality = 1.0 - math.exp(-(se[STEERING] + sd[STEERING] + ss[STEERING]) / steering_reference)
    engaged = 1.0 - math.exp(-(s_e + s_d) / engagement_reference)
    proactivity = w * engaged + (1.0 - w) * transversality
    open_demanded = op_e + op_d + op_s
    open_hours = se[OPEN] + sd[OPEN] + ss[OPEN] + fac
    f_open = open_hours / open_demanded if open_demanded > 0 else 1.0
    open_served = f_open if open_demanded > 0 else 0.0
    directors_delivery = sd[DELIVERY] / dd[DELIVERY] if dd[DELIVERY] > 0 else 1.0
    return (fac, d_e, d_d, d_s, s_e, s_d, s_s, f_info, f_staff_delivery, transversality, proactivity, open_hours,
            f_open, open_served, directors_delivery)


VALUE_COEFFICIENTS = ("platform_habit_floor", "platform_freshness_floor", "data_ready_floor", "service_fit_floor",
                      "steering_effectiveness_value", "steering_efficiency_value", "visible_delivery_weight",
                      "visible_openness_floor", "information_sharing", "visible_delivery_scale",
                      "open_data_transparency_value", "information_transparency_value", "participation_value",
                      "partnership_value", "co_creation_platform_value", "voice_saturation", "principles_protection",
                      "exclusion_harm", "privacy_protection_by_maturity", "stale_data_harm",
                      "unanswered_consultation_harm", "trust_transparency_scale", "exclusion_trust_harm",
                      "privacy_trust_harm", "partners_max", "ecosystem_richness", "partners_participation_weight",
                      "participatory_share", "partner_adjustment")


@njit(cache=True)
def account_value_pass(k, value_weight, family, direction, potential, magnitude, value_created, generated, job_fit,
                       habit, maturity, freshness, planning_fit, service_level, mean_use, transversality, substance,
                       f_info, recent_deliveries, reach, openness, catalogue, audience, participation, partners,
                       open_served, decision_delivered, risk_exposure, principles, access, excluded, mediation,
                       prerequisites, generator_to_type, destruction_to_type, gen, destroyed, created, destroyed_types,
                       net):
    """``VTIModel.account_value`` up to the residents' verbs: generators from delivered actions
    (``portfolio._realise_value``) and from governance processes, destruction by source, the books by value type
    (``value._account``; ``net`` = created - destroyed), and what the residents' ``receive`` and ``update_trust``
    are given.  Returns (visible, created total, destroyed total, personal value, transparency, harm to
    low-literacy residents, harm to all, partners)."""
    hf, ff, dr, sf, steering_effectiveness, steering_efficiency, w, vf, information_sharing, visible_scale, \
        open_data_transparency, information_transparency, participation_value, partnership_value, \
        co_creation_value, voice_saturation, principles_protection, exclusion_harm, privacy_by_maturity, \
        stale_data_harm, unanswered_harm, trust_transparency_scale, exclusion_trust_harm, privacy_trust_harm, \
        partners_max, ecosystem_richness, partners_weight, participatory_share, partner_adjustment = k
    habit_term = hf + (1.0 - hf) * habit
    platform = maturity * habit_term * (ff + (1.0 - ff) * freshness)  # R2
    # R3: staff able to run the new tools; R2: remote steering runs on shared, fresh data from the foundation
    # (seed 000 Angers lighting: 'le pilotage à distance est fonctionnel')
    data_ready = dr + (1.0 - dr) * maturity * habit_term
    fit = sf + (1.0 - sf) * planning_fit  # fit of actions to needs and uses, set at planning
    personal = _realise_value(value_weight, family, direction, job_fit, data_ready, platform, mean_use,
                              fit * service_level, potential, magnitude, value_created, generated)
    for g in range(gen.size):
        gen[g] = generated[g]
    t = transversality
    gen[EFFECTIVENESS] += steering_effectiveness * t
    gen[EFFICIENCY] += steering_efficiency * t
    # visible results: recent deliveries, and information about the policy's substance (seed 002 §3.4)
    informed = information_sharing * f_info
    visible = (w * (1.0 - math.exp(-recent_deliveries / visible_scale))
               + (1.0 - w) * informed * substance * reach) * (vf + (1.0 - vf) * openness)
    gen[TRANSPARENCY] += open_data_transparency * catalogue * freshness
    # information is worth what residents can read and believe (literacy x trust), under either mode
    gen[TRANSPARENCY] += information_transparency * informed * audience * substance
    # participation pays off through visible results: 'small wins' (Ansell & Gash 2008)
    gen[PARTICIPATION] += participation_value * participation * visible
    gen[COLLABORATION] += partnership_value * partners * open_served * substance
    # R4: decision-support platforms used collaboratively (the digital twin as an urban platform)
    gen[COLLABORATION] += (co_creation_value * decision_delivered * informed
                           * min(1.0, voice_saturation * participation))
    # destruction, by source; risks are those of delivered actions (seed 002 §4.2 agenda)
    exclusion, privacy, footprint = risk_exposure
    protection = principles_protection * principles
    destroyed[0] = exclusion * access * excluded * exclusion_harm
    destroyed[1] = privacy * (1.0 - privacy_by_maturity * maturity) * (1.0 - protection)
    destroyed[2] = footprint * (1.0 - protection)
    destroyed[3] = stale_data_harm * catalogue * (1.0 - freshness)
    destroyed[4] = unanswered_harm * participation * (1.0 - visible)
    created_total, destroyed_total = _account(gen, destroyed, generator_to_type, destruction_to_type, created,
                                              destroyed_types)
    for v in range(net.size):
        net[v] = created[v] - destroyed_types[v]
    transparency = min(1.0, gen[TRANSPARENCY] / trust_transparency_scale)
    harm_low = exclusion_trust_harm * access * (1.0 - mediation)
    harm_all = privacy_trust_harm * destroyed[1]
    target = partners_max * ecosystem_richness * open_served * ((1.0 - partners_weight)
                                                                + partners_weight * participatory_share)
    partners = partners + partner_adjustment * (target * prerequisites - partners)
    return visible, created_total, destroyed_total, personal, transparency, harm_low, harm_all, partners


POLICY_COEFFICIENTS = ("silo_drag", "productivity_floor", "innovation_capacity", "learning_productivity_gain",
                       "acceptance_floor", "voice_saturation", "participatory_share", "voice_weight", "fit_floor",
                       "open_item_fit_weight", "institutionalisation_rate")


@njit(cache=True)
def advance_policy_pass(k, transversality, silo, learning, acceptance, participation, open_served, institutional,
                        productivity, quality):
    """``VTIModel.advance_policy`` before the items move: each item's productivity and the quality it is produced
    with (filled in place), and the institutional prerequisite.  Returns (base productivity, institutional)."""
    silo_drag, floor, innovation, learning_gain, accept, voice_saturation, participatory_share, wv, fit_floor, wf, \
        institutionalisation = k
    t = transversality
    drag = 1.0 - silo_drag * silo * (1.0 - t)  # R1: steering lowers silo friction
    base = (floor + (1.0 - floor) * innovation) * drag * (1.0 + learning_gain * learning)
    productivity[:] = base
    productivity[ORGANISATIONAL] = base * (accept + (1.0 - accept) * acceptance)  # R3: change needs it
    # quality: steering brings coherence; on open-sensitive items, the voices heard bring fit with needs
    coherence = 1.0 - silo * (1.0 - t)
    voice = min(1.0, voice_saturation * participation)
    consulted = open_served * participatory_share  # share of decisions actually consulted on
    fit = fit_floor + (1.0 - fit_floor) * (wv * voice + (1.0 - wv) * consulted)
    quality[:] = coherence
    sensitive = (1.0 - wf) * coherence + wf * fit
    for i in _OPEN_SENSITIVE:
        quality[i] = sensitive
    # the institutional prerequisite of openness: steering bodies set rules, roles and charters (seed 002 §3.6)
    return base, institutional + institutionalisation * t * (1.0 - institutional)


ENGAGE_COEFFICIENTS = ("prerequisite_floor", "acceptance_weight", "reach_per_meeting", "participatory_share",
                       "reach_per_consultation", "reach_access_gain", "co_evaluation", "digital_mediation",
                       "mediation_principles_floor")


@njit(cache=True)
def engage_residents_pass(k, proximity_delivered, service_level, item_quality, item_progress, maturity, acceptance,
                          habit, institutional, open_served, meetings, evaluation, f_staff_delivery, coverage):
    """``VTIModel.engage_residents`` before the residents' verbs.  Returns (access, principles, the product of the
    three prerequisites (the caller takes its cube root, as Python's ``math.cbrt``), bodies set up, the share of
    residents a consultation can reach, mediation)."""
    floor, wa, reach_per_meeting, participatory_share, reach_per_consultation, reach_access_gain, co_evaluation, \
        digital_mediation, floor_m = k
    access = proximity_delivered * service_level
    principles = item_quality[AMBITION] * item_progress[AMBITION]
    # prerequisites (seed 002 §3.6): technological (the foundation), organisational and cultural (staff who accept
    # change and share data), institutional (rules and bodies for consulting and co-deciding)
    technological = floor + (1.0 - floor) * maturity
    organisational = floor + (1.0 - floor) * (wa * acceptance + (1.0 - wa) * habit)
    institutional = floor + (1.0 - floor) * institutional
    setup = item_progress[OPEN_BODIES]  # co-construction bodies set up (0 until openness works on it)
    reach = meetings * reach_per_meeting + participatory_share * (reach_per_consultation
                                                                   + reach_access_gain * access)
    if evaluation:
        reach += co_evaluation
    # digital mediation (seed 002 §3.5 'réseau de solidarité numérique'): a lever under either mode, relayed by
    # co-construction bodies where they cover neighbourhoods
    offered = 1.0 - (1.0 - digital_mediation * f_staff_delivery) * (1.0 - open_served * setup * coverage)
    mediation = offered * (floor_m + (1.0 - floor_m) * principles)
    return access, principles, technological * organisational * institutional, setup, 1.0 - math.exp(-reach), \
        mediation
