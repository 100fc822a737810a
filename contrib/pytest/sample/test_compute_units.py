"""A sample suite: how a project tests its compute-unit code against cuplane. The calls go
through the plugin's small signed client; with the official Python SDK installed, the same
calls work unchanged, since the plugin exports the variables it reads."""

import datetime
import os
import uuid

import pytest

from pytest_cuplane import ApiError

MONTH = 31 * 86400


def buy_prepaid(cuplane, months=1, replicas=1):
    return cuplane.tenant.call("/v2/serviceresources", "PurchaseComputeUnit", {
        "serviceId": "svc-chat", "replicasCount": replicas, "clientToken": str(uuid.uuid4()),
        "billing": {"paymentTiming": "Prepaid",
                    "reservation": {"reservationTimeUnit": "Month",
                                    "reservationLength": months}}})["instanceId"]


def unit(cuplane, instance_id):
    return cuplane.tenant.call("/v2/computeunit", "DescribeComputeUnit",
                               {"instanceId": instance_id})["computeUnitInstance"]


def test_the_sdk_variables_point_at_the_server(cuplane):
    assert os.environ["QIANFAN_CONSOLE_API_BASE_URL"] == cuplane.base_url
    assert os.environ["QIANFAN_ACCESS_KEY"] == "test-ak"
    assert os.environ["QIANFAN_SECRET_KEY"] == "test-sk"


def test_a_prepaid_unit_expires_after_its_month(cuplane):
    instance_id = buy_prepaid(cuplane)
    cuplane.advance(1)  # provisioned
    running = unit(cuplane, instance_id)
    assert running["status"] == "Running"
    expires = datetime.datetime.strptime(running["expiredTime"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires > datetime.datetime.strptime(running["startTime"], "%Y-%m-%dT%H:%M:%SZ")

    cuplane.advance(MONTH)
    assert unit(cuplane, instance_id)["status"] == "Released"


def test_every_test_starts_from_the_bootstrap(cuplane):
    # The previous tests bought units and moved the clock; none of it is left.
    listing = cuplane.tenant.call("/v2/serviceresources", "DescribeComputeUnits",
                                  {"serviceId": "svc-chat"})
    assert listing["instances"] == []
    for _ in range(4):  # the whole pool of 8 units, 2 per replica
        buy_prepaid(cuplane)
    with pytest.raises(ApiError) as refused:
        buy_prepaid(cuplane)
    assert refused.value.code == "InsufficientInventory"


def test_the_clock_starts_where_it_started(cuplane):
    start = cuplane.now()
    cuplane.advance(3600)
    assert cuplane.now() - start == datetime.timedelta(hours=1)
    cuplane.reset()
    assert cuplane.now() == start


def test_an_injected_provisioning_fault_fails_the_unit_and_refunds_it(cuplane):
    cuplane.inject_fault("provision", count=1)
    instance_id = buy_prepaid(cuplane)
    cuplane.advance(1)
    assert unit(cuplane, instance_id)["status"] == "CreateFailed"
    account = cuplane.operator.operator("DescribeAccount", accountId="acct-test")
    assert account["balance"] == 10000000  # the purchase came back as a refund
    second = buy_prepaid(cuplane)  # the fault was used once: the next one works
    cuplane.advance(1)
    assert unit(cuplane, second)["status"] == "Running"


def test_a_snapshot_brings_a_whole_setup_back(cuplane):
    first = buy_prepaid(cuplane)
    cuplane.save_snapshot("one-unit")
    buy_prepaid(cuplane)
    cuplane.advance(MONTH)
    cuplane.restore_snapshot("one-unit")
    listing = cuplane.tenant.call("/v2/serviceresources", "DescribeComputeUnits",
                                  {"serviceId": "svc-chat"})
    assert [i["instanceId"] for i in listing["instances"]] == [first]
