import { Body, Controller, Get, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common'
import { ApiKeyGuard } from './api-key.guard'
import { OrdersService, type Order } from './orders.service'

@Controller('orders')
export class OrdersController {
  constructor (private readonly orders: OrdersService) {}

  @Post()
  @UseGuards(ApiKeyGuard)
  async place (@Body() body: { item?: string }): Promise<Order> {
    return await this.orders.place(body.item ?? 'nothing')
  }

  @Get(':id')
  find (@Param('id', ParseIntPipe) id: number): Order {
    return this.orders.find(id)
  }

  @Get('crash/now')
  crash (): never {
    throw new TypeError('this route always fails')
  }
}
